import Foundation
import NewsletterCore

/// What `newsletterctl queue` does: look at the outbox, retry and cancel messages by hand.
///
/// Changes to several messages are all-or-nothing: every id is checked first, and one that
/// cannot be changed stops the command with nothing changed.
public struct OutboxQueue: Sendable {
    let store: Store
    let actor: String
    let now: @Sendable () -> Date

    public init(store: Store, actor: String, now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.actor = actor
        self.now = now
    }

    /// Calls `body` with each message in `states` (every message when empty), oldest first.
    public func forEach(states: [DeliveryState], _ body: (OutboxSummary) throws -> Void) throws {
        try store.read { tx in try tx.forEachOutboxSummary(states: states, body) }
    }

    public func counts() throws -> [DeliveryState: Int] {
        try store.read { tx in try tx.outboxCounts() }
    }

    /// One message with its subscriber's address and status, if it has a subscriber.
    public func show(_ id: Int64) throws -> OutboxDetail {
        try store.read { tx in
            let summary = try existing(id, in: tx)
            let subscriber = try summary.subscriberID.flatMap { try tx.subscriber(id: $0) }
            return OutboxDetail(message: summary, subscriberEmail: subscriber?.email, subscriberStatus: subscriber?.status)
        }
    }

    /// Puts failed, deferred or cancelled messages back in the queue, due now. Returns the
    /// ids requeued (ids already queued are left as they are).
    @discardableResult
    public func retry(_ ids: [Int64]) throws -> [Int64] {
        let time = now()
        return try store.write { tx in
            var requeue: [Int64] = []
            for id in ids {
                let message = try existing(id, in: tx)
                switch message.state {
                case .queued: continue
                case .sending:
                    throw NewsletterError.tempFailure("message \(id) is being sent right now; look again in a moment")
                case .sent:
                    throw NewsletterError.badData("message \(id) was sent \(message.sentAt.map(DisplayDate.minute) ?? ""); it is not sent twice")
                case .failed, .deferred, .cancelled:
                    guard message.hasContent else {
                        throw NewsletterError.badData("message \(id) no longer has its content, so it cannot be sent again")
                    }
                    if let subscriberID = message.subscriberID, let subscriber = try tx.subscriber(id: subscriberID),
                        subscriber.status == .unsubscribed || subscriber.status == .bounced
                    {
                        throw NewsletterError.badData(
                            "message \(id) is for \(subscriber.email), who is \(subscriber.status.rawValue); it would not be sent")
                    }
                    requeue.append(id)
                }
            }
            for id in requeue { _ = try tx.requeueMessage(id: id, at: time) }
            return requeue
        }
    }

    /// Requeues every failed message that can still be sent to a subscriber still on the
    /// list (or to no subscriber); returns the ids.
    @discardableResult
    public func retryAllFailed() throws -> [Int64] {
        let time = now()
        return try store.write { tx in
            var requeued: [Int64] = []
            for id in try tx.failedMessageIDs() {
                if let message = try tx.outboxSummary(id: id), let subscriberID = message.subscriberID,
                    let subscriber = try tx.subscriber(id: subscriberID), !subscriber.status.isOnList
                {
                    continue
                }
                if try tx.requeueMessage(id: id, at: time) { requeued.append(id) }
            }
            return requeued
        }
    }

    /// Cancels queued, deferred or failed messages; returns the ids cancelled (ids already
    /// cancelled are left as they are).
    @discardableResult
    public func cancel(_ ids: [Int64]) throws -> [Int64] {
        let time = now()
        return try store.write { tx in
            var cancel: [Int64] = []
            for id in ids {
                let message = try existing(id, in: tx)
                switch message.state {
                case .cancelled: continue
                case .sending:
                    throw NewsletterError.tempFailure("message \(id) is being sent right now and cannot be stopped; look again in a moment")
                case .sent:
                    throw NewsletterError.badData("message \(id) was already sent \(message.sentAt.map(DisplayDate.minute) ?? "")")
                case .queued, .deferred, .failed:
                    cancel.append(id)
                }
            }
            for id in cancel { _ = try tx.cancelMessage(id: id, reason: "cancelled by \(actor)", at: time) }
            return cancel
        }
    }

    private func existing(_ id: Int64, in tx: StoreTransaction) throws -> OutboxSummary {
        guard let message = try tx.outboxSummary(id: id) else {
            throw NewsletterError.noUser("no message \(id) in the outbox; 'newsletterctl queue list' shows them")
        }
        return message
    }
}

/// A message as `queue show` prints it.
public struct OutboxDetail: Sendable, Equatable {
    public var message: OutboxSummary
    /// The subscriber's address and status now; nil when there is no subscriber (or they were erased).
    public var subscriberEmail: String?
    public var subscriberStatus: SubscriberStatus?
}

/// The stable JSON form of an outbox message (`queue list --format json`, `queue show --format json`).
public struct OutboxMessageJSON: Encodable, Sendable {
    let m: OutboxSummary
    let subscriberEmail: String?
    let subscriberStatus: SubscriberStatus?

    public init(_ message: OutboxSummary, subscriberEmail: String? = nil, subscriberStatus: SubscriberStatus? = nil) {
        m = message
        self.subscriberEmail = subscriberEmail
        self.subscriberStatus = subscriberStatus
    }

    enum Keys: String, CodingKey {
        case id, kind, state, attempts
        case subscriberID = "subscriber_id", subscriberEmail = "subscriber_email", subscriberStatus = "subscriber_status"
        case editionID = "edition_id", envelopeFrom = "envelope_from", envelopeTo = "envelope_to", messageID = "message_id"
        case nextAttemptAt = "next_attempt_at", lastCode = "last_code", lastText = "last_text", createdAt = "created_at"
        case updatedAt = "updated_at", sentAt = "sent_at", bodyBytes = "body_bytes", hasContent = "has_content"
        case claimOwner = "claim_owner", claimExpiresAt = "claim_expires_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(m.id, forKey: .id)
        try c.encode(m.kind.rawValue, forKey: .kind)
        try c.encode(m.state.rawValue, forKey: .state)
        try c.encode(m.subscriberID, forKey: .subscriberID)
        if subscriberEmail != nil || subscriberStatus != nil {
            try c.encode(subscriberEmail, forKey: .subscriberEmail)
            try c.encode(subscriberStatus?.rawValue, forKey: .subscriberStatus)
        }
        try c.encode(m.editionID, forKey: .editionID)
        try c.encode(m.envelopeFrom, forKey: .envelopeFrom)
        try c.encode(m.envelopeTo, forKey: .envelopeTo)
        try c.encode(m.messageID, forKey: .messageID)
        try c.encode(m.attempts, forKey: .attempts)
        try c.encode(DisplayDate.iso(m.nextAttemptAt), forKey: .nextAttemptAt)
        try c.encode(m.lastCode, forKey: .lastCode)
        try c.encode(m.lastText, forKey: .lastText)
        try c.encode(DisplayDate.iso(m.createdAt), forKey: .createdAt)
        try c.encode(DisplayDate.iso(m.updatedAt), forKey: .updatedAt)
        try c.encode(m.sentAt.map(DisplayDate.iso), forKey: .sentAt)
        try c.encode(m.bodyBytes, forKey: .bodyBytes)
        try c.encode(m.hasContent, forKey: .hasContent)
        if m.state == .sending {
            try c.encode(m.claimOwner, forKey: .claimOwner)
            try c.encode(m.claimExpiresAt.map(DisplayDate.iso), forKey: .claimExpiresAt)
        }
    }
}

/// `newsletterctl send-test`: one message, now, through the configured transport, outside the outbox.
public enum SendTest {
    public static func send(to address: EmailAddress, settings: Settings, transport: any MailTransport) throws -> SendResult {
        guard let from = settings.mail.from else {
            throw NewsletterError.config("mail.from is not set; it is the sender of every message, the test one included")
        }
        let built = try TestMessage.build(from: from, to: address, replyTo: settings.mail.replyTo, siteName: settings.site.name)
        let message = try OutgoingMessage(from: from.address, to: address, data: built.data)
        let connection = try transport.connect()
        defer { connection.close() }
        return connection.send(message)
    }
}

extension OutboxSummary {
    /// The last reply for people: the code and text, without the code twice when the text
    /// (the server's own line) already starts with it.
    public var lastReply: String {
        switch (lastCode, lastText) {
        case (let code?, let text?) where text.hasPrefix(String(code)): return text
        case (let code?, let text?): return "\(code) \(text)"
        case (let code?, nil): return String(code)
        case (nil, let text?): return text
        case (nil, nil): return ""
        }
    }
}
