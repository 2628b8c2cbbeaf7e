import Foundation

/// A sign-up, read, decided and written in ONE write transaction: the public form and
/// `newsletterctl subscribers add` both come through here.
///
/// From the form (``Source/web``), double opt-in decides everything: the address is pending
/// until its owner presses the button on the confirmation page, and a suppression (they
/// unsubscribed, bounced, complained or were erased) stays until that confirm POST
/// (``SubscriberDirectory/update(subscriberID:_:then:)`` lifts it). An address that bounced
/// or complained is sent nothing at all.
///
/// Every web path does the same work, so the time the answer takes says nothing about
/// who subscribes: the same transaction (read the subscriber and the suppression), the
/// confirmation message rendered, and a row written to the outbox — queued when it is to be
/// sent, cancelled with the reason when it is not — before the same commit and fsync.
public struct SignupService: Sendable {
    let directory: SubscriberDirectory

    public init(store: Store, actor: String, now: @escaping @Sendable () -> Date = Date.init) {
        directory = SubscriberDirectory(store: store, actor: actor, now: now)
    }

    /// Where a sign-up comes from, and so which rules apply.
    public enum Source: Sendable, Equatable {
        /// The public form: anyone may send it, for any address.
        case web(clientAddress: String?)
        /// Staff with the CLI, who have the person's consent. An address already on the list
        /// is refused; a suppressed one only with `resubscribe`, which lifts the suppression.
        case staff(resubscribe: Bool)
    }

    public enum Outcome: String, Sendable {
        /// New, or back after leaving: pending (web) with fresh consent and a confirmation email.
        case added
        /// Already pending: the confirmation email is sent again.
        case resent
        /// Already on the list and confirmed: nothing sent.
        case alreadyActive = "already_active"
        /// The address bounced or complained: nothing sent, nothing changed.
        case suppressed

        /// Whether a message was queued to go out.
        public var queuedEmail: Bool { self == .added || self == .resent }
    }

    /// The steps of a sign-up, in order, for a probe: every web path must take the same ones.
    public enum Step: Sendable, Equatable {
        /// Inside the write transaction, the subscriber and the suppression read.
        case read
        /// The confirmation message rendered.
        case rendered
        /// Rows written in the transaction (queued or cancelled message included).
        case wrote
    }

    public struct Result: Sendable {
        public var outcome: Outcome
        public var subscriber: Subscriber?
        /// The queued confirmation, when one goes out.
        public var confirmation: Int64?
    }

    /// Renders the confirmation email for a subscriber (nil when confirmations are off).
    public typealias Compose = (Subscriber, Date) throws -> NewOutboxMessage?

    /// Registers `new` under `source`'s rules. `compose` renders the confirmation message;
    /// `probe` hears each step (tests).
    public func register(
        _ new: NewSubscriber, wording: String, source: Source, compose: Compose, probe: ((Step) -> Void)? = nil
    ) throws -> Result {
        let time = directory.now()
        let wording = try ConsentWording.validated(wording)
        return try directory.store.write { tx in
            let before = tx.changesSoFar
            let result: Result
            switch source {
            case .web(let client):
                result = try web(new, wording: wording, client: client, at: time, in: tx, compose: compose, probe: probe)
            case .staff(let resubscribe):
                let added = try directory.insertOrReturn(new, wording: wording, resubscribe: resubscribe, clientAddress: nil, at: time, in: tx)
                var confirmation: Int64?
                if added.status == .pending, let message = try compose(added, time) {
                    confirmation = try tx.enqueue(message, at: time)
                }
                result = Result(outcome: .added, subscriber: added, confirmation: confirmation)
            }
            if tx.changesSoFar > before { probe?(.wrote) }
            return result
        }
    }

    private func web(
        _ new: NewSubscriber, wording: String, client: String?, at time: Date, in tx: StoreTransaction, compose: Compose,
        probe: ((Step) -> Void)?
    ) throws -> Result {
        var new = new
        new.status = .pending
        let existing = try tx.subscriber(key: new.email.key)
        let suppression = try tx.suppression(hash: new.email.hash)
        probe?(.read)

        let outcome: Outcome
        var subscriber: Subscriber
        switch (existing?.status, suppression?.reason) {
        case (.bounced?, _), (_, .bounced?), (_, .complaint?):
            outcome = .suppressed
            subscriber = existing ?? Self.standIn(new, at: time)
        case (.active?, _):
            outcome = .alreadyActive
            subscriber = existing!
        case (.pending?, _):
            outcome = .resent
            subscriber = existing!
        case (.unsubscribed?, _):
            // They may come back: fresh consent, pending until they confirm from their own
            // inbox. The suppression stays until then.
            var returning = existing!
            returning.apply(new, at: time)
            try tx.updateSubscriber(returning)
            try tx.appendConsent(
                ConsentEntry(
                    at: time, actor: directory.actor, action: .resubscribed, fromStatus: .unsubscribed, toStatus: .pending,
                    wording: wording, clientAddress: client),
                subscriberID: returning.id)
            outcome = .added
            subscriber = returning
        case (nil, _):
            guard let id = try tx.insertSubscriber(new, at: time), let added = try tx.subscriber(id: id) else {
                throw StoreFailure(.busy, "\(new.email) was added by another process at the same moment; try again")
            }
            try tx.appendConsent(
                ConsentEntry(
                    at: time, actor: directory.actor, action: suppression == nil ? .subscribed : .resubscribed, toStatus: .pending,
                    wording: wording, clientAddress: client),
                subscriberID: id)
            outcome = .added
            subscriber = added
        }

        // The same rendering and the same outbox write on every path.
        var confirmation: Int64?
        if var message = try compose(subscriber, time) {
            probe?(.rendered)
            if subscriber.id == 0 { message.subscriberID = nil }
            let id = try tx.enqueue(message, at: time)
            if outcome.queuedEmail {
                confirmation = id
            } else {
                _ = try tx.cancelMessage(id: id, reason: Self.reasonNotSent(outcome), at: time)
            }
        }
        return Result(outcome: outcome, subscriber: existing == nil && outcome == .suppressed ? nil : subscriber, confirmation: confirmation)
    }

    static func reasonNotSent(_ outcome: Outcome) -> String {
        outcome == .alreadyActive
            ? "not sent: a sign-up for an address already on the list"
            : "not sent: a sign-up for an address that bounced or complained"
    }

    /// Who a confirmation would go to when the address has no subscriber row: rendered but never sent.
    static func standIn(_ new: NewSubscriber, at time: Date) -> Subscriber {
        Subscriber(
            id: 0, email: new.email.value, name: nil, status: .pending, digest: new.digest, blog: new.blog, topics: new.topics,
            createdAt: time, updatedAt: time, activeSince: nil)
    }
}
