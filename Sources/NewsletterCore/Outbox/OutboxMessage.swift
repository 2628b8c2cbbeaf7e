import Foundation

/// One message in the persistent outbox: who it goes to, what it is, and where it stands.
///
/// A message's bytes are either stored whole (`.complete`, for one-off messages), or come
/// from an ``Edition`` shared by many recipients plus this recipient's merge fields
/// (`.edition`): a weekly digest to 100,000 people is a handful of editions and 100,000
/// small rows, not 100,000 stored copies. A ``MessageRenderer`` turns either into the exact
/// same bytes every time, so a retry sends what the first attempt sent.
public struct OutboxMessage: Sendable, Equatable, Identifiable {
    public var id: Int64
    public var kind: MessageKind
    public var subscriberID: Int64?
    public var envelopeFrom: String
    public var envelopeTo: String
    /// The Message-ID header's value, without angle brackets.
    public var messageID: String
    public var content: OutboxContent
    public var state: DeliveryState
    public var attempts: Int
    public var nextAttemptAt: Date
    public var lastCode: Int?
    public var lastText: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var sentAt: Date?
}

public enum OutboxContent: Sendable, Equatable {
    /// A complete RFC 5322 message with CRLF line ends.
    case complete(Data)
    /// An edition filled in with this recipient's fields.
    case edition(id: Int64, merge: [String: String])
    /// The body was pruned after the message was sent (`delivery.keep_sent_days`).
    case pruned
}

public enum MessageKind: String, Sendable, CaseIterable, Codable {
    case digest, blog, confirm, welcome, test
}

public enum DeliveryState: String, Sendable, CaseIterable, Codable {
    /// Waiting to be sent.
    case queued
    /// Claimed by a sender; a process that dies leaves it here, and the next start requeues it.
    case sending
    case sent
    /// A temporary failure; tried again at `nextAttemptAt`.
    case deferred
    /// A permanent failure, or temporary failures for longer than `delivery.max_age`.
    case failed
    /// Not to be sent: the subscriber left, or staff cancelled it.
    case cancelled

    public var isFinal: Bool { self == .sent || self == .failed || self == .cancelled }
}

/// A message about to be queued.
public struct NewOutboxMessage: Sendable, Equatable {
    public var kind: MessageKind
    public var subscriberID: Int64?
    public var envelopeFrom: EmailAddress
    public var envelopeTo: EmailAddress
    public var messageID: String
    public var content: OutboxContent
    /// Not sent before this time.
    public var notBefore: Date

    public init(
        kind: MessageKind, subscriberID: Int64?, envelopeFrom: EmailAddress, envelopeTo: EmailAddress, messageID: String,
        content: OutboxContent, notBefore: Date
    ) {
        self.kind = kind
        self.subscriberID = subscriberID
        self.envelopeFrom = envelopeFrom
        self.envelopeTo = envelopeTo
        self.messageID = messageID
        self.content = content
        self.notBefore = notBefore
    }
}

/// What many recipients of one message share: rendered once, stored once.
///
/// The text in `headers`, `subject`, `text` and `html` may hold recipient slots that a
/// renderer fills from each message's merge fields; what a slot looks like is the
/// renderer's business.
public struct Edition: Sendable, Equatable, Identifiable {
    public var id: Int64
    public var kind: MessageKind
    public var subject: String
    /// Header lines every recipient gets, already encoded.
    public var headers: String
    public var text: String
    public var html: String?
    public var createdAt: Date

    public init(id: Int64, kind: MessageKind, subject: String, headers: String, text: String, html: String?, createdAt: Date) {
        self.id = id
        self.kind = kind
        self.subject = subject
        self.headers = headers
        self.text = text
        self.html = html
        self.createdAt = createdAt
    }
}

public struct NewEdition: Sendable, Equatable {
    public var kind: MessageKind
    public var subject: String
    public var headers: String
    public var text: String
    public var html: String?

    public init(kind: MessageKind, subject: String, headers: String, text: String, html: String?) {
        self.kind = kind
        self.subject = subject
        self.headers = headers
        self.text = text
        self.html = html
    }
}

/// Produces the bytes to send for an outbox message: the same bytes on every call.
public protocol MessageRenderer: Sendable {
    func render(_ message: OutboxMessage) throws -> Data
}

/// Renders messages stored whole; refuses editions, which need the composer's renderer.
public struct CompleteMessageRenderer: MessageRenderer {
    public init() {}

    public func render(_ message: OutboxMessage) throws -> Data {
        switch message.content {
        case .complete(let data): return data
        case .edition(let id, _): throw NewsletterError.internalError("message \(message.id) needs edition \(id), which this renderer cannot build")
        case .pruned: throw MessageError.unsendable("message \(message.id) was sent and its body pruned; it cannot be sent again")
        }
    }
}
