/// The names of newsletterd's metrics, shared by the modules that record them (through
/// swift-metrics) and the `/metrics` page that lists them.
public enum MetricNames {
    /// Counters, by what delivery recorded: each attempt that ended sent, deferred or failed.
    public static let messagesSent = "newsletter_messages_sent_total"
    public static let messagesDeferred = "newsletter_messages_deferred_total"
    public static let messagesFailed = "newsletter_messages_failed_total"
    /// Counter, with a `cadence` dimension.
    public static let digestsQueued = "newsletter_digests_queued_total"
    /// Timer (a histogram in seconds), with a `scope` dimension (full or paths).
    public static let scanDuration = "newsletter_content_scan_duration_seconds"
    /// Gauges read from the database at each scrape.
    public static let queueDepth = "newsletter_queue_depth"
    public static let subscribers = "newsletter_subscribers"
    /// Counters of the pages' work, with an `outcome` dimension.
    public static let signups = "newsletter_web_signups_total"
    public static let confirmations = "newsletter_web_confirmations_total"
    public static let unsubscribes = "newsletter_web_unsubscribes_total"
    /// Counters of website watching's fetches: each failed one by `kind` (dns, timeout,
    /// http_5xx, not_a_page...), and each answered one by `outcome` (fetched, not_modified).
    public static let websiteFetchFailures = "newsletter_website_fetch_failures_total"
    public static let websiteFetches = "newsletter_website_fetches_total"
    /// Gauge read from the database at each scrape: addresses whose last fetch failed.
    public static let websiteFailing = "newsletter_website_failing"
}
