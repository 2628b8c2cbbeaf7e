import Dispatch
import Foundation
import Logging
import NewsletterCore

/// Scans a website every `website.check_interval`, on a queue of its own, and sooner when a
/// scheduled post falls due. Unlike a folder, a website can take minutes to read (requests
/// are paced), so the first scan runs in the background too and `start` returns at once.
public final class WebsiteWatcher: SiteWatching, @unchecked Sendable {
    public let scanner: WebsiteScanner
    let logger: Logger
    let onEvents: @Sendable ([ContentEvent]) -> Void
    let onScan: @Sendable (ScanReport) -> Void
    private let queue = DispatchQueue(label: "website-watcher")
    private var timer: DispatchSourceTimer?
    private var running = false

    public init(
        scanner: WebsiteScanner, logger: Logger = Logger(label: "website"), onEvents: @escaping @Sendable ([ContentEvent]) -> Void = { _ in },
        onScan: @escaping @Sendable (ScanReport) -> Void = { _ in }
    ) {
        self.scanner = scanner
        self.logger = logger
        self.onEvents = onEvents
        self.onScan = onScan
    }

    /// Starts the periodic scans, the first one now; returns an empty report at once.
    @discardableResult
    public func start() throws -> ScanReport {
        queue.sync {
            guard !running else { return }
            running = true
            let interval = scanner.site.settings.checkInterval
            let timer = DispatchSource.makeTimerSource(queue: queue)
            timer.schedule(deadline: .now(), repeating: interval, leeway: .seconds(5))
            timer.setEventHandler { [weak self] in self?.scanNow() }
            timer.resume()
            self.timer = timer
            logger.info(
                "watching the website",
                metadata: ["site": "\(scanner.site.baseURL)", "check_interval": "\(ConfigDuration.format(interval))"])
        }
        return ScanReport()
    }

    public func stop() {
        // A check can take minutes: stop its requests first, then wait for it to notice.
        scanner.stop()
        queue.sync {
            running = false
            timer?.cancel()
            timer = nil
        }
    }

    public func requestRescan() {
        queue.async { [weak self] in self?.scanNow() }
    }

    private func scanNow() {
        guard running else { return }
        do {
            let report = try scanner.scan(spreadOver: scanner.site.settings.checkInterval / 2)
            if !report.events.isEmpty { onEvents(report.events) }
            onScan(report)
            if let due = report.nextPublication {
                // A scheduled post: look again when it falls due rather than at the next check.
                let delay = max(1, due.timeIntervalSinceNow)
                if delay < scanner.site.settings.checkInterval {
                    queue.asyncAfter(deadline: .now() + delay) { [weak self] in self?.scanNow() }
                }
            }
        } catch is WebsiteScanStopped {
            logger.info("website check stopped part way; nothing of it was recorded")
        } catch {
            logger.error("website scan failed; trying again at the next check", metadata: ["reason": "\(error)"])
        }
    }
}
