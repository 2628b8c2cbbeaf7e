import Foundation

/// Counts for `newsletterctl subscribers stats`.
public struct SubscriberStats: Sendable, Equatable {
    public var byStatus: [SubscriberStatus: Int] = [:]
    /// Active subscribers by digest cadence and by blog mode: who will actually get what.
    public var activeByDigest: [DigestCadence: Int] = [:]
    public var activeByBlog: [BlogMode: Int] = [:]
    public var suppressed: [SuppressionReason: Int] = [:]
    public var joinedLast30Days = 0
    public var leftLast30Days = 0

    public var total: Int { byStatus.values.reduce(0, +) }

    public static func gather(from store: Store, now: Date = Date()) throws -> SubscriberStats {
        try store.read { tx in
            var stats = SubscriberStats()
            for group in try tx.subscriberCounts() {
                stats.byStatus[group.status, default: 0] += group.count
                if group.status == .active {
                    stats.activeByDigest[group.digest, default: 0] += group.count
                    stats.activeByBlog[group.blog, default: 0] += group.count
                }
            }
            stats.suppressed = try tx.suppressionCounts()
            let monthAgo = now.addingTimeInterval(-30 * 86400)
            stats.joinedLast30Days = try tx.subscribersCreated(since: monthAgo)
            stats.leftLast30Days = try tx.consentActions(.unsubscribed, since: monthAgo)
            return stats
        }
    }
}
