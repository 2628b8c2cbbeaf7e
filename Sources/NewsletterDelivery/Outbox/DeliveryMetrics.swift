import Metrics
import NewsletterCore

/// What delivery counts for `/metrics`, through swift-metrics: a no-op unless the process
/// set up a metrics backend (newsletterd does). Each recorded attempt counts once.
enum DeliveryMetrics {
    static let sent = Counter(label: MetricNames.messagesSent)
    static let deferred = Counter(label: MetricNames.messagesDeferred)
    static let failed = Counter(label: MetricNames.messagesFailed)

    static func record(_ counts: (sent: Int, deferred: Int, failed: Int)) {
        if counts.sent > 0 { sent.increment(by: counts.sent) }
        if counts.deferred > 0 { deferred.increment(by: counts.deferred) }
        if counts.failed > 0 { failed.increment(by: counts.failed) }
    }
}
