import Metrics
import Foundation
import NewsletterCore
import Prometheus

/// What `GET /metrics` shows, in Prometheus's text format.
///
/// Counters (messages sent, deferred and failed; digests queued; the pages' sign-ups,
/// confirmations and unsubscribes) and the content scan's duration are recorded where the
/// work happens, through swift-metrics, into this registry. The queue depth and the
/// subscribers by status are read from the database at each scrape, so they are right
/// whichever process changed them.
public final class WebMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory

    /// Scan durations run from milliseconds (a few changed files) to a minute (a cold scan
    /// of a large site).
    static let scanBuckets: [Duration] = [
        .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
        .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
    ]

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        factory = Self.factory(registry)
        // Created now so a scrape shows them at 0 before anything happens.
        for name in [MetricNames.messagesSent, MetricNames.messagesDeferred, MetricNames.messagesFailed] {
            _ = Counter(label: name, dimensions: [], factory: factory)
        }
        for cadence in [DigestCadence.daily, .weekly, .monthly] {
            _ = Counter(label: MetricNames.digestsQueued, dimensions: [("cadence", cadence.rawValue)], factory: factory)
        }
    }

    /// The swift-metrics backend for the whole process (`MetricsSystem.bootstrap`), writing
    /// into `registry`.
    public static func factory(_ registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets[MetricNames.scanDuration] = scanBuckets
        return factory
    }

    func count(_ name: String, outcome: String) {
        Counter(label: name, dimensions: [("outcome", outcome)], factory: factory).increment()
    }

    /// The Prometheus text, after reading the gauges from the store.
    func scrape(_ store: Store) throws -> [UInt8] {
        let (subscribers, outbox, failing) = try store.read { tx in
            (try tx.subscriberCounts(), try tx.outboxCounts(), try tx.failingWebResourceCount())
        }
        Gauge(label: MetricNames.websiteFailing, dimensions: [], factory: factory).record(failing)
        for status in SubscriberStatus.allCases {
            let count = subscribers.filter { $0.status == status }.reduce(0) { $0 + $1.count }
            Gauge(label: MetricNames.subscribers, dimensions: [("status", status.rawValue)], factory: factory).record(count)
        }
        for state in [DeliveryState.queued, .deferred, .sending] {
            Gauge(label: MetricNames.queueDepth, dimensions: [("state", state.rawValue)], factory: factory).record(outbox[state] ?? 0)
        }
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}
