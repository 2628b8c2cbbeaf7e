import Metrics
import NewsletterCore

/// Website watching's counters; no-ops unless the process set up a metrics backend.
enum WebsiteMetrics {
    static func failed(kind: String) {
        Counter(label: MetricNames.websiteFetchFailures, dimensions: [("kind", kind)]).increment()
    }

    static func answered(notModified: Bool) {
        Counter(label: MetricNames.websiteFetches, dimensions: [("outcome", notModified ? "not_modified" : "fetched")]).increment()
    }
}
