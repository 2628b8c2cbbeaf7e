import Foundation
import Logging
import NewsletterCore

/// Scans a published website and records what changed, with the same meaning of "updated"
/// as for files: a page's own "last updated" date moved later, or a new blog post appeared.
///
/// A scan reads the sitemaps and feeds, fetches only the pages whose sitemap `lastmod` moved
/// (or, without one, asks with the last validators, so an unchanged page costs a 304), reads
/// each page's date, title and summary, and records the outcome in one transaction through
/// ``ScanRecorder``, as the content folder's scanner does. A fetch that fails (DNS, refused,
/// timeout, an error status, a login or error page served with 200, a body over the limit)
/// changes nothing about the page: it is counted, retried with backoff, and reported.
public final class WebsiteScanner: Sendable {
    public let site: WebsiteSite
    let store: Store
    let logger: Logger
    let now: @Sendable () -> Date
    let identity: PageIdentity
    let reader: WebPageReader
    private let running = RunningPool()

    public init(site: WebsiteSite, store: Store, logger: Logger = Logger(label: "website"), now: @escaping @Sendable () -> Date = Date.init) {
        self.site = site
        self.store = store
        self.logger = logger
        self.now = now
        identity = PageIdentity(baseURL: site.baseURL, blogDir: "")
        reader = WebPageReader(reader: DateReader(order: site.dateOrder))
    }

    /// Scans the website once and records the changes (unless `options.dryRun`). Throws only
    /// when the database fails: a site that cannot be reached is a warning, and nothing changes.
    /// With `spreadOver`, the page requests are paced to take up to that long rather than
    /// arriving together (the daemon spreads each check over half its interval).
    public func scan(options: ScanOptions = ScanOptions(), spreadOver: TimeInterval? = nil) throws -> ScanReport {
        let started = now()
        let (recorded, resources) = try store.read { tx in
            (Dictionary(uniqueKeysWithValues: try tx.contentPages().map { ($0.path, $0) }), try tx.webResources())
        }
        var run = WebsiteScanRun(site: site, recorded: recorded, resources: resources, now: started, reader: reader, identity: identity)
        let pool = FetchPool(options: site.fetchOptions, perHost: site.settings.perHost, delay: site.settings.delay)
        guard running.begin(pool) else { throw WebsiteScanStopped() }
        defer { running.end() }
        run.readRobots(pool)
        run.readSitemaps(pool)
        run.readFeeds(pool)
        // The baseline reads every page anyway; spreading it would only delay the first digest.
        let baseline = try store.read { tx in try tx.contentScanState() == nil }
        run.fetchPages(pool, spreadOver: baseline ? nil : spreadOver)
        // Stopped part way: what was fetched is incomplete, so nothing is recorded.
        if pool.isCancelled { throw WebsiteScanStopped() }
        run.findGone()

        var report = ScanReport()
        report.dryRun = options.dryRun
        report.full = true
        report.website = true
        report.filesSeen = run.pagesSeen
        report.filesRead = run.observed.count
        report.warnings = run.warnings
        let recorder = ScanRecorder(root: site.baseURL, fallback: site.fallback, identity: identity, now: { started })
        let observed = run.observed
        let gone = run.gone
        let updates = Array(run.updates.values)
        let apply = { (tx: StoreTransaction) throws -> ScanReport in
            let result = try recorder.record(observed: observed, gone: gone, options: options, report: report, tx: tx)
            try tx.saveWebResources(updates)
            return result
        }
        report = options.dryRun ? try store.rehearse(apply) : try store.write(apply)
        log(report, failing: run.longFailing)
        return report
    }

    private func log(_ report: ScanReport, failing: [WebResource]) {
        for warning in report.warnings {
            logger.info("website address not read", metadata: ["url": "\(warning.path)", "reason": "\(warning.reason)"])
        }
        for resource in failing {
            logger.warning(
                "website address failing", metadata: ["url": "\(resource.url)", "failures": "\(resource.failures)", "reason": "\(resource.lastError ?? "")"])
        }
        for event in report.events {
            logger.info(
                "content event\(report.dryRun ? " (dry run)" : "")", metadata: ["kind": "\(event.kind.rawValue)", "url": "\(event.url)", "marker": "\(event.marker)"])
        }
        if report.baseline { logger.info("website baseline recorded", metadata: ["pages": "\(report.pages)", "posts": "\(report.posts)"]) }
    }

    /// Stops the scan in progress (if any) at its next request, and any later one: for a
    /// daemon that is shutting down or handing the lead to another.
    public func stop() {
        running.stop()
    }
}

/// A scan was stopped before it finished; nothing of it was recorded.
public struct WebsiteScanStopped: Error {}

/// The pool of the scan in progress, so that another thread can stop it.
private final class RunningPool: @unchecked Sendable {
    private let lock = NSLock()
    private var pool: FetchPool?
    private var stopped = false

    func begin(_ pool: FetchPool) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return false }
        self.pool = pool
        return true
    }

    func end() {
        lock.lock()
        pool = nil
        lock.unlock()
    }

    func stop() {
        lock.lock()
        stopped = true
        let current = pool
        lock.unlock()
        current?.cancel()
    }
}
