import Foundation

/// The operations behind the links in emails, which name a subscriber by a ``LinkClaim``
/// (from a link token) rather than by address. Each checks the claim against the row in the
/// transaction that reads or changes it: a token made for someone since erased never acts
/// on whoever holds their id now.
extension SubscriberDirectory {
    /// The subscriber the link was made for; nil when the token does not hold for the row
    /// with its id (erased since, another person, a retired secret past its time).
    public func subscriber(link: LinkClaim) throws -> Subscriber? {
        let time = now()
        return try store.read { tx in try Self.holder(of: link, at: time, in: tx) }
    }

    /// Unsubscribes the link's subscriber, as ``remove(_:clientAddress:)`` does; nil when the
    /// link holds for nobody. Repeating it changes nothing.
    public func remove(link: LinkClaim, clientAddress: String? = nil) throws -> RemoveOutcome? {
        let time = now()
        return try store.write { tx in
            guard var subscriber = try Self.holder(of: link, at: time, in: tx) else { return nil }
            if subscriber.status == .unsubscribed { return .alreadyUnsubscribed(subscriber) }
            try unsubscribe(&subscriber, at: time, clientAddress: clientAddress, in: tx)
            return .unsubscribed(subscriber)
        }
    }

    /// Changes the link's subscriber, as ``update(_:_:then:)`` does; nil when the link holds
    /// for nobody.
    public func update(
        link: LinkClaim, _ changes: SubscriberChanges,
        then: ((_ before: Subscriber, _ after: Subscriber, StoreTransaction) throws -> Void)? = nil
    ) throws -> Subscriber? {
        let time = now()
        do {
            return try change({ tx in
                guard let subscriber = try Self.holder(of: link, at: time, in: tx) else { throw NoSuchSubscriber() }
                return subscriber
            }, changes, then: then)
        } catch is NoSuchSubscriber {
            return nil
        }
    }

    static func holder(of link: LinkClaim, at time: Date, in tx: StoreTransaction) throws -> Subscriber? {
        guard let subscriber = try tx.subscriber(id: link.subscriberID), link.holds(for: subscriber, at: time) else { return nil }
        return subscriber
    }

    private struct NoSuchSubscriber: Error {}
}
