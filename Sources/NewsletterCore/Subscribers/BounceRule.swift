import Foundation

/// A subscriber whose address the relay rejected permanently `limit` times in a row is
/// marked `bounced`: suppressed, their unsent messages cancelled, and the change written to
/// their consent log, all in the caller's transaction.
public enum BounceRule {
    /// Applies the rule after a permanent failure to `subscriberID`; returns true when the
    /// subscriber was marked bounced just now.
    @discardableResult
    public static func apply(
        subscriberID: Int64, limit: Int, lastReply: String, actor: String, at now: Date, in tx: StoreTransaction
    ) throws -> Bool {
        guard limit > 0, var subscriber = try tx.subscriber(id: subscriberID), subscriber.status.isOnList else { return false }
        guard try tx.permanentFailureStreak(subscriberID: subscriberID, limit: limit) >= limit else { return false }
        let previous = subscriber.status
        subscriber.status = .bounced
        subscriber.updatedAt = now
        try tx.updateSubscriber(subscriber)
        try tx.suppress(hash: EmailAddress.hash(key: EmailAddress.key(subscriber.email)), reason: .bounced, at: now, actor: actor)
        try tx.cancelUnsentMessages(subscriberID: subscriberID, reason: "not sent: the subscriber's address bounced", at: now)
        try tx.appendConsent(
            ConsentEntry(
                at: now, actor: actor, action: .bounced, fromStatus: previous, toStatus: .bounced,
                wording: "\(limit) permanent delivery failures in a row; last reply: \(lastReply)"),
            subscriberID: subscriberID)
        return true
    }
}
