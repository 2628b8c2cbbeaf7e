import Foundation

extension SubscriberDirectory {
    /// Deletes sign-ups still pending `expiry` after their last change (`subscribers.pending_expiry`),
    /// at most `limit` in one transaction, each with a line in the purge log; returns how many
    /// went. The suppression list is not touched: an address suppressed before the sign-up
    /// stays suppressed. An `expiry` of 0 keeps pending sign-ups for ever.
    public func purgeUnconfirmed(expiry: TimeInterval, limit: Int = 1000) throws -> Int {
        guard expiry > 0 else { return 0 }
        let time = now()
        let reason = "not confirmed within \(ConfigDuration.format(expiry)) of signing up"
        return try store.write { tx in
            let stale = try tx.pendingSubscribers(unchangedBefore: time.addingTimeInterval(-expiry), limit: limit)
            for subscriber in stale {
                try tx.appendPurge(PurgeEntry(
                    at: time, actor: actor, addressHash: EmailAddress.hash(key: EmailAddress.key(subscriber.email)),
                    signedUpAt: subscriber.createdAt, reason: reason))
                try tx.deleteSubscriber(id: subscriber.id)
            }
            return stale.count
        }
    }
}
