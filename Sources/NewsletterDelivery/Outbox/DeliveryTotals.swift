import Foundation
import NewsletterCore

/// Counts of what a runner did.
public struct DeliveryTotals: Sendable, Equatable {
    public var sent = 0
    public var deferred = 0
    public var failed = 0
    public var cancelled = 0
    /// Subscribers marked bounced.
    public var bounced = 0
    /// Sends that failed because the connection did (could not connect, TLS, login, 421, timeouts).
    public var connectionFailures = 0

    public init() {}

    mutating func add(_ states: [Int64: DeliveryState], bounced: Int, cancelled: Int) {
        var counts = (sent: 0, deferred: 0, failed: 0)
        for state in states.values {
            switch state {
            case .sent: counts.sent += 1
            case .deferred: counts.deferred += 1
            case .failed: counts.failed += 1
            default: break
            }
        }
        sent += counts.sent
        deferred += counts.deferred
        failed += counts.failed
        DeliveryMetrics.record(counts)
        self.bounced += bounced
        self.cancelled += cancelled
    }
}

/// What one ``DeliveryRunner/drain()`` did.
public struct DrainReport: Sendable, Equatable {
    public var totals: DeliveryTotals
    /// Messages a previous sender left `sending`, requeued at the start.
    public var recovered: Int
    /// Every connection gave up: the relay could not be reached, refused the session or the login.
    public var relayUnavailable: Bool

    public var sent: Int { totals.sent }
    public var deferred: Int { totals.deferred }
    public var failed: Int { totals.failed }
    public var cancelled: Int { totals.cancelled }
    public var bounced: Int { totals.bounced }
}
