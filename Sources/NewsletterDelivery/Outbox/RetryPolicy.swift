import Foundation
import NewsletterCore

/// When a temporarily failed message is tried again: `delivery.retry_initial` doubling with
/// each attempt up to `delivery.retry_max`, spread by ±10% so messages deferred together do
/// not all come back in the same second.
public struct RetryPolicy: Sendable {
    public var initial: TimeInterval
    public var maximum: TimeInterval
    public var maxAge: TimeInterval
    public var jitter: Double

    public init(initial: TimeInterval = 60, maximum: TimeInterval = 3600, maxAge: TimeInterval = 3 * 86400, jitter: Double = 0.1) {
        self.initial = initial
        self.maximum = maximum
        self.maxAge = maxAge
        self.jitter = jitter
    }

    public init(_ settings: DeliverySettings) {
        self.init(initial: settings.retryInitial, maximum: settings.retryMax, maxAge: settings.maxAge)
    }

    /// The delay before the next try of a message that has failed `attempts` times before this failure.
    public func delay<R: RandomNumberGenerator>(afterAttempts attempts: Int, using random: inout R) -> TimeInterval {
        let base = min(initial * pow(2, Double(min(attempts, 40))), maximum)
        guard jitter > 0 else { return base }
        return base * Double.random(in: (1 - jitter)...(1 + jitter), using: &random)
    }
}
