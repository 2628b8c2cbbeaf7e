import Foundation
import Logging
import Metrics
import NewsletterCompose
import NewsletterCore

/// Runs the daemon's jobs (digests, blog notifications) one at a time, records each run for
/// catch-up, and wakes delivery when something was queued. Called only on the daemon's job
/// queue.
final class JobRunner: @unchecked Sendable {
    let store: Store
    let logger: Logger
    let delivery: DeliveryControl
    var setup: DaemonSetup
    private(set) var lastOutcome = "not run yet"
    private(set) var lastError: (message: String, at: Date)?
    private let now: @Sendable () -> Date

    init(store: Store, setup: DaemonSetup, delivery: DeliveryControl, logger: Logger, now: @escaping @Sendable () -> Date) {
        self.store = store
        self.setup = setup
        self.delivery = delivery
        self.logger = logger
        self.now = now
    }

    /// Composes and queues the digests of `cadence` for the scheduled time `fire`.
    @discardableResult
    func runDigest(_ cadence: DigestCadence, fire: Date, late: Bool, retry: Bool = false) -> Bool {
        let job = JobRun.digestJob(cadence)
        if retry {
            logger.notice("retrying a \(cadence.rawValue) digest run that failed", metadata: ["scheduled": "\(Self.describe(fire, in: setup.settings.schedule.timeZone))"])
        } else if late {
            logger.notice(
                "catching up a \(cadence.rawValue) digest run missed while newsletterd was not running",
                metadata: ["scheduled": "\(Self.describe(fire, in: setup.settings.schedule.timeZone))"])
        }
        do {
            let report = try DigestComposer(store: store, environment: setup.compose).run(cadence: cadence, at: now())
            let detail = "\(report.queued) queued, \(report.empty) with nothing new, period \(report.period)"
            try store.write { tx in try tx.recordJobRun(JobRun(job: job, lastFire: fire, finishedAt: now(), ok: true, detail: detail)) }
            logger.info(
                "\(cadence.rawValue) digests queued",
                metadata: ["period": "\(report.period)", "queued": "\(report.queued)", "nothing_new": "\(report.empty)", "editions": "\(report.editions)"])
            lastOutcome = "ok"
            if report.queued > 0 {
                Counter(label: MetricNames.digestsQueued, dimensions: [("cadence", cadence.rawValue)]).increment(by: report.queued)
                delivery.wake()
            }
            return true
        } catch {
            fail("\(cadence.rawValue) digest run failed: \(Self.message(error))")
            try? store.write { tx in
                try tx.recordJobRun(JobRun(job: job, lastFire: fire, finishedAt: now(), ok: false, detail: Self.message(error)))
            }
            return false
        }
    }

    /// Sends the waiting blog posts once their window has closed; returns when to look again.
    func runBlog() -> Date? {
        do {
            switch try BlogComposer(store: store, environment: setup.compose).run(at: now()) {
            case .nothingNew:
                return nil
            case .waiting(let until):
                logger.debug("blog posts waiting for the window to close", metadata: ["until": "\(until)"])
                return until
            case .queued(let posts, let messages):
                logger.info("blog notifications queued", metadata: ["posts": "\(posts)", "messages": "\(messages)"])
                try store.write { tx in
                    try tx.recordJobRun(JobRun(job: "blog", lastFire: now(), finishedAt: now(), ok: true, detail: "\(posts) posts, \(messages) messages"))
                }
                if messages > 0 { delivery.wake() }
                return nil
            }
        } catch {
            fail("blog notifications failed: \(Self.message(error))")
            return now().addingTimeInterval(60)
        }
    }

    func fail(_ message: String) {
        logger.error("\(message)")
        lastOutcome = "failed"
        lastError = (message, now())
    }

    static func message(_ error: any Error) -> String {
        (error as? NewsletterError)?.message ?? "\(error)"
    }

    static func describe(_ date: Date, in zone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "EEE yyyy-MM-dd HH:mm zzz"
        return formatter.string(from: date)
    }
}
