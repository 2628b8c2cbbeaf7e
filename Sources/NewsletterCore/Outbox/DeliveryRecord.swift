import Foundation

/// What one attempt to send an outbox message came to, as the store records it.
public struct DeliveryRecord: Sendable, Equatable {
    public enum Result: Sendable, Equatable {
        /// The relay accepted it.
        case sent
        /// A temporary failure: try again at `retryAt`, unless the message is older than `delivery.max_age`.
        case retry(at: Date)
        /// A permanent failure.
        case failed
    }

    public var messageID: Int64
    public var subscriberID: Int64?
    public var result: Result
    /// The SMTP reply code, when there was one.
    public var code: Int?
    /// The server's reply, or what went wrong.
    public var text: String

    public init(messageID: Int64, subscriberID: Int64?, result: Result, code: Int?, text: String) {
        self.messageID = messageID
        self.subscriberID = subscriberID
        self.result = result
        self.code = code
        self.text = text
    }
}

/// An outbox row without its body: what listings show.
public struct OutboxSummary: Sendable, Equatable, Identifiable {
    public var id: Int64
    public var kind: MessageKind
    public var subscriberID: Int64?
    public var editionID: Int64?
    public var envelopeFrom: String
    public var envelopeTo: String
    public var messageID: String
    public var state: DeliveryState
    public var attempts: Int
    public var nextAttemptAt: Date
    public var lastCode: Int?
    public var lastText: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var sentAt: Date?
    /// Size of the stored body; nil for edition messages and pruned ones.
    public var bodyBytes: Int?
    /// Whether the message can still be rebuilt (its body or edition is kept).
    public var hasContent: Bool
    /// While `sending`: the sender that claimed it (host/pid/run), and until when unless renewed.
    public var claimOwner: String? = nil
    public var claimExpiresAt: Date? = nil
}

/// A sender's hold on the messages it claimed: they are its to send until `expiresAt`, and
/// it renews the hold while it lives. An expired hold is anyone's to put back in the queue.
public struct ClaimLease: Sendable, Equatable {
    /// The claiming daemon's instance id.
    public var owner: String
    public var expiresAt: Date

    public init(owner: String, expiresAt: Date) {
        self.owner = owner
        self.expiresAt = expiresAt
    }
}

/// What a claim took from the queue.
public struct ClaimedMessages: Sendable {
    /// Now `sending`: to be sent by the caller.
    public var messages: [OutboxMessage]
    /// Cancelled instead, because the subscriber left or bounced since they were queued.
    public var cancelled: Int

    public init(messages: [OutboxMessage], cancelled: Int) {
        self.messages = messages
        self.cancelled = cancelled
    }
}
