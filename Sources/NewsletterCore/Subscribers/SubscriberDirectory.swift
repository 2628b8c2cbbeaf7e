import Foundation

/// The rules for adding, changing, removing and erasing subscribers.
///
/// Each operation is one store transaction: the status change, its consent-log line and the
/// suppression entry are committed together or not at all.
public struct SubscriberDirectory: Sendable {
    let store: Store
    /// Who is acting, for the consent log: `cli:alice`, `web`, `daemon`.
    let actor: String
    let now: @Sendable () -> Date

    public init(store: Store, actor: String, now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.actor = actor
        self.now = now
    }

    // MARK: Adding

    /// Adds a subscriber with a consent record.
    ///
    /// An address already on the list is refused. A suppressed address (one that opted out,
    /// bounced or was erased) is refused unless `resubscribe` is set, which records fresh
    /// consent and lifts the suppression.
    ///
    /// `then` runs inside the same transaction with the stored subscriber: a confirmation
    /// email queued there is committed with the subscriber, or neither is.
    @discardableResult
    public func add(
        _ new: NewSubscriber, wording: String, resubscribe: Bool = false, clientAddress: String? = nil,
        then: ((Subscriber, StoreTransaction) throws -> Void)? = nil
    ) throws -> Subscriber {
        let time = now()
        let wording = try ConsentWording.validated(wording)
        return try store.write { tx in
            let added = try insertOrReturn(new, wording: wording, resubscribe: resubscribe, clientAddress: clientAddress, at: time, in: tx)
            try then?(added, tx)
            return added
        }
    }

    func insertOrReturn(
        _ new: NewSubscriber, wording: String, resubscribe: Bool, clientAddress: String?, at time: Date, in tx: StoreTransaction
    ) throws -> Subscriber {
        let suppression = try tx.suppression(hash: new.email.hash)
        if var existing = try tx.subscriber(key: new.email.key) {
            guard resubscribe, !existing.status.isOnList else {
                throw SubscriberError.alreadyExists(alreadySubscribedMessage(existing))
            }
            let previous = existing.status
            existing.apply(new, at: time)
            try tx.updateSubscriber(existing)
            try tx.unsuppress(hash: new.email.hash)
            try tx.appendConsent(
                ConsentEntry(
                    at: time, actor: actor, action: .resubscribed, fromStatus: previous, toStatus: existing.status,
                    wording: wording, clientAddress: clientAddress),
                subscriberID: existing.id)
            return existing
        }
        if let suppression, !resubscribe {
            throw SubscriberError.hasLeft(
                "\(new.email) is on the suppression list (\(suppression.reason.rawValue) \(DisplayDate.day(suppression.createdAt))); "
                    + "add --resubscribe only if they have asked to join again")
        }
        guard let id = try tx.insertSubscriber(new, at: time) else {
            throw StoreFailure(.busy, "\(new.email) was added by another process at the same moment; try again")
        }
        try tx.unsuppress(hash: new.email.hash)
        try tx.appendConsent(
            ConsentEntry(
                at: time, actor: actor, action: suppression == nil ? .subscribed : .resubscribed, toStatus: new.status,
                wording: wording, clientAddress: clientAddress),
            subscriberID: id)
        return try tx.subscriber(id: id)!
    }

    // MARK: Changing

    /// Changes a subscriber's name, preferences or pending/active status. `then` runs in the
    /// same transaction with the subscriber before and after (to queue a welcome email when
    /// they become active, say).
    @discardableResult
    public func update(
        _ email: EmailAddress, _ changes: SubscriberChanges, then: ((_ before: Subscriber, _ after: Subscriber, StoreTransaction) throws -> Void)? = nil
    ) throws -> Subscriber {
        try change({ tx in try existing(email, in: tx) }, changes, then: then)
    }

    func change(
        _ find: (StoreTransaction) throws -> Subscriber, _ changes: SubscriberChanges,
        then: ((_ before: Subscriber, _ after: Subscriber, StoreTransaction) throws -> Void)?
    ) throws -> Subscriber {
        let time = now()
        return try store.write { tx in
            var subscriber = try find(tx)
            let before = subscriber
            if let status = changes.status, status != subscriber.status {
                guard subscriber.status.isOnList else {
                    throw SubscriberError.hasLeft(
                        "\(subscriber.email) is \(subscriber.status.rawValue); use 'newsletterctl subscribers add \(subscriber.email) --resubscribe' "
                            + "only if they have asked to join again")
                }
                subscriber.status = status
                if status == .active { subscriber.activeSince = time }
            }
            if let name = changes.name { subscriber.name = name }
            if let firstName = changes.firstName { subscriber.firstName = firstName }
            if let digest = changes.digest { subscriber.digest = digest }
            if let blog = changes.blog { subscriber.blog = blog }
            if let topics = changes.topics { subscriber.topics = topics }
            guard subscriber != before else { return subscriber }

            subscriber.updatedAt = time
            try tx.updateSubscriber(subscriber)
            if before.status != .active && subscriber.status == .active {
                // Confirmed by the owner (or by staff who have their consent): a suppression
                // left from before a web sign-up is lifted only now.
                try tx.unsuppress(hash: EmailAddress.hash(key: EmailAddress.key(subscriber.email)))
            }
            if before.status != subscriber.status {
                try tx.appendConsent(
                    ConsentEntry(
                        at: time, actor: actor, action: subscriber.status == .active ? .confirmed : .pending,
                        fromStatus: before.status, toStatus: subscriber.status, wording: changes.wording,
                        clientAddress: changes.clientAddress),
                    subscriberID: subscriber.id)
            }
            let described = PreferenceChange.describe(from: before, to: subscriber)
            if !described.isEmpty {
                try tx.appendConsent(
                    ConsentEntry(at: time, actor: actor, action: .preferences, wording: described, clientAddress: changes.clientAddress),
                    subscriberID: subscriber.id)
            }
            try then?(before, subscriber, tx)
            return subscriber
        }
    }

    // MARK: Leaving

    /// Unsubscribes: the subscriber stays, marked unsubscribed, and the address is suppressed.
    /// Repeating it changes nothing.
    @discardableResult
    public func remove(_ email: EmailAddress, clientAddress: String? = nil) throws -> RemoveOutcome {
        let time = now()
        return try store.write { tx in
            var subscriber = try existing(email, in: tx)
            if subscriber.status == .unsubscribed { return .alreadyUnsubscribed(subscriber) }
            try unsubscribe(&subscriber, at: time, clientAddress: clientAddress, in: tx)
            return .unsubscribed(subscriber)
        }
    }

    /// GDPR erasure: the subscriber and their consent log are deleted; only a hash of the
    /// address stays, on the suppression list, so they are never mailed again. An address not
    /// on the list is still suppressed.
    @discardableResult
    public func erase(_ email: EmailAddress) throws -> EraseOutcome {
        let time = now()
        return try store.write { tx in
            try tx.suppress(hash: email.hash, reason: .erased, at: time, actor: actor)
            guard let subscriber = try tx.subscriber(key: email.key) else { return .notOnList }
            // Their queued and sent messages name them too: the outbox rows go with them.
            try tx.deleteSubscriber(id: subscriber.id)
            return .erased
        }
    }

    func unsubscribe(_ subscriber: inout Subscriber, at time: Date, clientAddress: String?, in tx: StoreTransaction) throws {
        let previous = subscriber.status
        subscriber.status = .unsubscribed
        subscriber.updatedAt = time
        try tx.updateSubscriber(subscriber)
        try tx.suppress(hash: EmailAddress.hash(key: EmailAddress.key(subscriber.email)), reason: .unsubscribed, at: time, actor: actor)
        try tx.cancelUnsentMessages(subscriberID: subscriber.id, reason: "unsubscribed", at: time)
        try tx.appendConsent(
            ConsentEntry(at: time, actor: actor, action: .unsubscribed, fromStatus: previous, toStatus: .unsubscribed, clientAddress: clientAddress),
            subscriberID: subscriber.id)
    }

    // MARK: Reading

    /// A subscriber with their consent log, for `show` and for a subject access request.
    public func profile(_ email: EmailAddress) throws -> SubscriberProfile {
        try store.read { tx in
            let subscriber = try existing(email, in: tx)
            return SubscriberProfile(subscriber: subscriber, consent: try tx.consentLog(subscriberID: subscriber.id))
        }
    }

    func existing(_ email: EmailAddress, in tx: StoreTransaction) throws -> Subscriber {
        guard let subscriber = try tx.subscriber(key: email.key) else {
            throw SubscriberError.notFound("no subscriber with address \(email); 'newsletterctl subscribers list' shows who is on the list")
        }
        return subscriber
    }

    private func alreadySubscribedMessage(_ existing: Subscriber) -> String {
        let base = "\(existing.email) is already subscribed (status \(existing.status.rawValue))"
        return existing.status.isOnList
            ? base + "; use 'newsletterctl subscribers update' to change their settings"
            : base + "; add --resubscribe only if they have asked to join again"
    }
}

extension SubscriberStatus {
    /// Pending and active subscribers are on the list; the others have left it.
    public var isOnList: Bool { self == .pending || self == .active }
}

extension Subscriber {
    /// Takes the new details and status of a returning subscriber.
    mutating func apply(_ new: NewSubscriber, at time: Date) {
        status = new.status
        if new.name != nil { name = new.name }
        if new.firstName != nil { firstName = new.firstName }
        digest = new.digest
        blog = new.blog
        topics = new.topics
        updatedAt = time
        activeSince = new.status == .active ? time : nil
    }
}

/// What `update` changes; nil leaves a field as it is.
public struct SubscriberChanges: Sendable {
    public var name: String??
    /// The name they are greeted by; `.some(nil)` clears it.
    public var firstName: String??
    public var digest: DigestCadence?
    public var blog: BlogMode?
    public var topics: [String]?
    /// Only `.pending` or `.active`: leaving goes through `remove`, returning through `add`.
    public var status: SubscriberStatus?
    /// Recorded with a status change.
    public var wording: String?
    /// The client's network address, recorded with the change (web confirmations and preferences).
    public var clientAddress: String?

    public init(
        name: String?? = nil, digest: DigestCadence? = nil, blog: BlogMode? = nil, topics: [String]? = nil,
        status: SubscriberStatus? = nil, wording: String? = nil, clientAddress: String? = nil, firstName: String?? = nil
    ) {
        self.clientAddress = clientAddress
        self.firstName = firstName
        self.name = name
        self.digest = digest
        self.blog = blog
        self.topics = topics
        self.status = status
        self.wording = wording
    }
}

public enum RemoveOutcome: Sendable, Equatable {
    case unsubscribed(Subscriber)
    case alreadyUnsubscribed(Subscriber)
}

public enum EraseOutcome: Sendable, Equatable {
    case erased
    /// The address was not on the list; it is suppressed all the same.
    case notOnList
}

public struct SubscriberProfile: Sendable, Equatable {
    public var subscriber: Subscriber
    public var consent: [ConsentEntry]
}

/// Words for the consent log describing what a preferences change did.
enum PreferenceChange {
    static func describe(from old: Subscriber, to new: Subscriber) -> String {
        var parts: [String] = []
        if old.digest != new.digest { parts.append("digest \(old.digest.rawValue) → \(new.digest.rawValue)") }
        if old.blog != new.blog { parts.append("blog \(old.blog.rawValue) → \(new.blog.rawValue)") }
        if old.topics != new.topics { parts.append("topics \(topics(old.topics)) → \(topics(new.topics))") }
        if old.name != new.name { parts.append("name changed") }
        if old.firstName != new.firstName { parts.append("first name changed") }
        return parts.joined(separator: "; ")
    }

    private static func topics(_ topics: [String]) -> String {
        topics.isEmpty ? "all" : topics.joined(separator: ",")
    }
}
