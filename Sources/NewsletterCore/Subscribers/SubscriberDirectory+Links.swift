import Foundation

/// The operations behind the links in emails, which name a subscriber by id (from a
/// verified ``LinkTokens`` token) rather than by address.
extension SubscriberDirectory {
    /// The subscriber with this id; nil when there is none (erased since the link was sent).
    public func subscriber(id: Int64) throws -> Subscriber? {
        try store.read { tx in try tx.subscriber(id: id) }
    }

    /// Unsubscribes the subscriber with this id, as ``remove(_:clientAddress:)`` does;
    /// nil when there is no such subscriber. Repeating it changes nothing.
    public func remove(subscriberID id: Int64, clientAddress: String? = nil) throws -> RemoveOutcome? {
        let time = now()
        return try store.write { tx in
            guard var subscriber = try tx.subscriber(id: id) else { return nil }
            if subscriber.status == .unsubscribed { return .alreadyUnsubscribed(subscriber) }
            try unsubscribe(&subscriber, at: time, clientAddress: clientAddress, in: tx)
            return .unsubscribed(subscriber)
        }
    }

    /// Changes the subscriber with this id, as ``update(_:_:then:)`` does; nil when there is
    /// no such subscriber.
    public func update(
        subscriberID id: Int64, _ changes: SubscriberChanges,
        then: ((_ before: Subscriber, _ after: Subscriber, StoreTransaction) throws -> Void)? = nil
    ) throws -> Subscriber? {
        do {
            return try change({ tx in
                guard let subscriber = try tx.subscriber(id: id) else { throw NoSuchSubscriber() }
                return subscriber
            }, changes, then: then)
        } catch is NoSuchSubscriber {
            return nil
        }
    }

    private struct NoSuchSubscriber: Error {}
}
