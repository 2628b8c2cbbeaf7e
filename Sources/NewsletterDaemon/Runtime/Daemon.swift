import Dispatch
import Foundation
import Logging
import NewsletterCompose
import NewsletterContent
import NewsletterCore
import NewsletterStore
import Synchronization

/// newsletterd's moving parts, wired together: the content watcher feeding events, Dispatch
/// timers firing digest runs at local times, blog notifications after their window, delivery
/// draining the outbox, and the systemd protocol around it all.
///
/// Jobs, timers and reloads run on one serial queue, so a reload never lands in the middle of
/// a digest run. Housekeeping (the watchdog, the heartbeat row, noticing `newsletterctl`'s
/// writes and clock jumps) runs on its own queue and keeps going during long jobs.
public final class Daemon: @unchecked Sendable {
    public let store: Store
    let location: ConfigLocation
    let logger: Logger
    let notifier: SystemdNotifier?
    let delivery: DeliveryControl
    let now: @Sendable () -> Date
    let startedAt: Date
    /// This run of this daemon, among all that share the database: host, pid and start.
    let instanceID: String
    /// Held while this daemon leads (see Daemon+Leadership).
    let leadership = Mutex<(any StoreLock)?>(nil)
    /// Set while a leadership check waits on `jobs`, so a long job does not pile them up.
    let leadershipCheckPending = Mutex(false)

    let jobs = DispatchQueue(label: "newsletterd.jobs")
    let housekeepingQueue = DispatchQueue(label: "newsletterd.housekeeping")

    // On `jobs`:
    let runner: JobRunner
    var watcher: (any SiteWatching)?
    var digestTimers: [DigestCadence: any DispatchSourceTimer] = [:]
    var nextFires: [DigestCadence: Date] = [:]
    var blogTimer: (any DispatchSourceTimer)?
    var retryTimer: (any DispatchSourceTimer)?
    var lastScan: ScanReport?

    /// What the job queue last published about itself, for housekeeping to report.
    let status = Mutex(StatusSnapshot())
    /// Parts other services add to the status line ("web http://127.0.0.1:8025"), by name.
    let statusNotes = Mutex<[(name: String, text: String)]>([])
    /// Checks another service's part of a new configuration at SIGHUP; returns what puts it
    /// in force, called only once the whole configuration has loaded.
    let reloadParticipants = Mutex<[@Sendable (Settings) throws -> @Sendable () -> Void]>([])

    /// What the watchdog checks before each ping.
    let livenessProbes = Mutex<[LivenessProbe]>([])

    // On `housekeepingQueue`:
    var housekeepingTimer: (any DispatchSourceTimer)?
    /// The parts the watchdog last found stuck, so each change is logged once.
    var lastStuck: [String] = []
    var wedged = false
    var watchdogTimer: (any DispatchSourceTimer)?
    var changeStamp: String = ""
    var clockCheck = (wall: Date(), uptime: ProcessInfo.processInfo.systemUptime)
    var lastHeartbeat = Date.distantPast
    var lastNotifiedStatus = ""
    var lastStatusRefresh = Date.distantPast
    var lastCleanup = Date.distantPast

    /// Loads and checks the config, templates and content folder and opens the database;
    /// every problem is a ``NewsletterError`` naming it (config errors exit 78).
    public init(
        location: ConfigLocation, logger: Logger, notifier: SystemdNotifier? = SystemdNotifier.fromEnvironment(),
        now: @escaping @Sendable () -> Date = Date.init,
        delivery makeDelivery: (Settings, Store, Logger) throws -> DeliveryControl = { OutboxDelivery(settings: $0, store: $1, logger: $2) }
    ) throws {
        // The store first: it creates the database folder, where the link secret lives.
        let settings = try Settings.load(from: location)
        let store = try Store.open(settings.database)
        let setup = try DaemonSetup(settings: settings, store: store)
        let delivery = try makeDelivery(setup.settings, store, logger)
        self.location = location
        self.logger = logger
        self.notifier = notifier
        self.store = store
        self.delivery = delivery
        self.now = now
        startedAt = now()
        instanceID = "\(ProcessInfo.processInfo.hostName)/\(getpid())/\(Int(startedAt.timeIntervalSince1970))"
        runner = JobRunner(store: store, setup: setup, delivery: delivery, logger: logger, now: now)
        addBuiltInProbes()
    }

    var setup: DaemonSetup { runner.setup }

    /// The settings in force.
    public var settings: Settings { jobs.sync { setup.settings } }

    // MARK: Running under systemd

    /// Starts everything and tells systemd it is ready: watcher (after its first scan),
    /// catch-up runs for schedules missed while stopped, timers, delivery, housekeeping.
    public func start() throws {
        try jobs.sync {
            writeHeartbeat(state: "starting")
            // The leader watches the content and runs the schedule; a follower sends and
            // serves the pages until it takes the lead (Daemon+Leadership).
            if try !tryToLead() {
                logger.notice("another newsletterd leads; this one sends and serves the pages, and takes the lead if that one stops")
                recordInstance()
            }
            try delivery.start()
            refreshStatus()
        }
        logger.info("newsletterd ready", metadata: ["version": "\(NewsletterVersion.current)", "config": "\(location.path)"])
        notify(["READY=1", "STATUS=\(status.withLock { $0.line })"])
        startHousekeeping()
        housekeepingQueue.async { self.writeHeartbeat(state: "running") }
    }

    // MARK: Other services

    /// Adds (or, with nil, removes) a named part of the status line, such as the address the
    /// web server listens on.
    public func setStatusNote(_ name: String, _ text: String?) {
        statusNotes.withLock { notes in
            notes.removeAll { $0.name == name }
            if let text { notes.append((name, text)) }
        }
        jobs.async { self.refreshStatus() }
    }

    /// Lets another service take part in SIGHUP: `prepare` checks its part of the new
    /// settings (throwing rejects the whole reload) and returns what puts it in force.
    public func addReloadParticipant(_ prepare: @escaping @Sendable (Settings) throws -> @Sendable () -> Void) {
        reloadParticipants.withLock { $0.append(prepare) }
    }

    /// Something was queued (a sign-up's confirmation email): send it now rather than at
    /// the next look at the queue.
    public func wakeDelivery() {
        delivery.wake()
    }

    /// SIGHUP: reads the config and templates again. The whole new configuration is built
    /// and checked first (templates, site, web settings, the transport); then it goes into
    /// force all at once, or, if any part fails, nothing changes and everything keeps
    /// running as it was. The log says which.
    public func reload() {
        notify(["RELOADING=1", "STATUS=reloading configuration"])
        jobs.sync {
            logger.info("reloading configuration", metadata: ["config": "\(location.path)"])
            var prepared: [PreparedReload] = []
            do {
                let next = try DaemonSetup.load(location, store: store)
                guard next.settings.database.name == setup.settings.database.name else {
                    throw NewsletterError.config("the database changed from \(setup.settings.database.name); restart newsletterd to use another database")
                }
                let watchChanged = next.site.root != setup.site.root || next.settings.content != setup.settings.content
                    || next.settings.site != setup.settings.site || next.settings.website != setup.settings.website
                for participant in reloadParticipants.withLock({ $0 }) {
                    let commit = try participant(next.settings)
                    prepared.append(PreparedReload(commit: commit))
                }
                prepared.append(try delivery.prepareReload(next.settings))
                // The watcher last: replacing it is the one step that runs something new
                // before the reload is sure; on failure the old one is started again.
                // A follower has no watcher or schedule: it starts them with the new
                // configuration when it takes the lead.
                let leading = isLeader
                if watchChanged && leading { try replaceWatcher(with: next) }
                // Nothing below can fail.
                prepared.forEach { $0.commit() }
                runner.setup = next
                if leading {
                    if !watchChanged { watcher?.requestRescan() }
                    scheduleDigests()
                    evaluateBlog()
                }
                logger.info("configuration reloaded")
            } catch {
                prepared.forEach { $0.discard() }
                runner.fail("reload failed, still running with the previous configuration: \(JobRunner.message(error))")
            }
            refreshStatus()
        }
        notify(["READY=1", "STATUS=\(status.withLock { $0.line })"])
    }

    /// Starts a watcher for `next`'s site in place of the running one; if it cannot start,
    /// the running configuration's watcher is started again and the error thrown.
    private func replaceWatcher(with next: DaemonSetup) throws {
        watcher?.stop()
        watcher = nil
        do {
            try startWatcher(next)
        } catch {
            do {
                try startWatcher(setup)
            } catch {
                logger.error("the content watcher could not be started again; content changes are not seen until a restart", metadata: ["reason": "\(JobRunner.message(error))"])
            }
            throw error
        }
    }

    /// Stops taking new work, lets the SMTP transactions in flight finish (up to
    /// `timeout`), and records that the daemon stopped.
    public func stop(within timeout: TimeInterval) {
        notify(["STOPPING=1", "STATUS=stopping"])
        logger.info("stopping", metadata: ["grace": "\(ConfigDuration.format(timeout))"])
        housekeepingQueue.sync {
            housekeepingTimer?.cancel()
            watchdogTimer?.cancel()
        }
        let leading = isLeader
        jobs.sync { stepDown() }
        delivery.stop(within: timeout)
        writeHeartbeat(state: "stopped", leading: leading)
        recordInstance(role: DaemonInstance.stopped)
        logger.info("stopped")
    }

    // MARK: --once

    public struct OnceReport: Sendable {
        public var scan: ScanReport
        public var digests: [(cadence: DigestCadence, ok: Bool)] = []
        public var delivery = DeliverySummary()
        public var failures = 0
    }

    /// Scans the content, runs the digest and blog jobs that are due, drains the outbox, and
    /// does the hourly cleanup (unconfirmed sign-ups, old message bodies).
    /// On a shared database, the scan and the jobs are the leader's: while another daemon
    /// leads, this run only sends.
    public func runOnce() throws -> OnceReport {
        try jobs.sync {
            var lead: (any StoreLock)?
            if store.isShared {
                lead = try store.tryLeadership()
                if lead == nil {
                    logger.notice("another newsletterd leads; this run only sends what is queued")
                    var report = OnceReport(scan: ScanReport())
                    report.delivery = try delivery.drain()
                    logger.info("delivery finished", metadata: ["summary": "\(report.delivery)"])
                    return report
                }
            }
            defer { lead?.release() }
            var report = OnceReport(scan: try setup.site.scan(store: store, logger: logger, now: now))
            logScan(report.scan)
            let lastRuns = try store.read { tx in try tx.jobRuns() }
            for due in CatchUp.due(at: now(), schedule: setup.settings.schedule, lastRuns: lastRuns) {
                let ok = runner.runDigest(due.cadence, fire: due.fire, late: false, retry: due.retry)
                report.digests.append((due.cadence, ok))
                if !ok { report.failures += 1 }
            }
            if let until = runner.runBlog() {
                logger.info("blog posts are waiting for blog.window to close; the next run will send them", metadata: ["until": "\(until)"])
            }
            report.delivery = try delivery.drain()
            logger.info("delivery finished", metadata: ["summary": "\(report.delivery)"])
            purgeUnconfirmed()
            pruneSentMessages()
            return report
        }
    }

    // MARK: Content

    func startWatcher(_ setup: DaemonSetup? = nil) throws {
        let setup = setup ?? self.setup
        let watcher = setup.site.watcher(
            store: store, settings: setup.settings.content, logger: logger, now: now,
            onEvents: { [weak self] events in
                guard let self else { return }
                self.logger.info("content changed", metadata: ["events": "\(events.count)"])
                if events.contains(where: { $0.kind == .postPublished }) { self.jobs.async { self.evaluateBlog() } }
            },
            onScan: { [weak self] report in
                guard let self else { return }
                self.jobs.async { self.lastScan = report }
                // A full scan of a large site leaves freed heap behind; give it back.
                if report.full { _ = malloc_trim(0) }
            })
        let first = try watcher.start()
        _ = malloc_trim(0)
        // A website's first scan runs in the background; its report comes through onScan.
        if case .folder = setup.site {
            lastScan = first
            logScan(first)
        }
        self.watcher = watcher
    }

    private func logScan(_ report: ScanReport) {
        for warning in report.warnings { logger.warning("content file skipped or read in part", metadata: ["file": "\(warning.path)", "reason": "\(warning.reason)"]) }
        logger.info(
            report.baseline ? "content baseline recorded" : "content scanned",
            metadata: ["pages": "\(report.pages)", "posts": "\(report.posts)", "read": "\(report.filesRead)", "events": "\(report.events.count)"])
    }

    // MARK: Schedule

    /// Runs, once each, the digest cadences whose time passed while the daemon was stopped,
    /// or whose last run failed. A run that fails again is retried in a few minutes.
    func catchUp() {
        retryTimer?.cancel()
        retryTimer = nil
        do {
            let lastRuns = try store.read { tx in try tx.jobRuns() }
            var failed = false
            for due in CatchUp.due(at: now(), schedule: setup.settings.schedule, lastRuns: lastRuns) {
                if !runner.runDigest(due.cadence, fire: due.fire, late: due.late, retry: due.retry) { failed = true }
            }
            if failed { scheduleRetry() }
        } catch {
            runner.fail("cannot read the run ledger: \(JobRunner.message(error))")
            scheduleRetry()
        }
    }

    func scheduleRetry() {
        retryTimer?.cancel()
        retryTimer = timer(at: now().addingTimeInterval(Self.retryAfterFailure)) { [weak self] in
            self?.catchUp()
            self?.refreshStatus()
        }
    }

    /// How long after a failed digest run (a full disk, a locked database) it is tried again.
    static let retryAfterFailure: TimeInterval = 300

    /// (Re)sets a wall-clock timer for each cadence's next fire time.
    func scheduleDigests() {
        let schedule = setup.settings.schedule
        for cadence in [DigestCadence.daily, .weekly, .monthly] {
            digestTimers[cadence]?.cancel()
            guard let rule = schedule.rule(for: cadence) else { continue }
            let fire = rule.nextFire(after: now(), in: schedule.timeZone)
            nextFires[cadence] = fire
            digestTimers[cadence] = timer(at: fire) { [weak self] in
                guard let self else { return }
                if !self.runner.runDigest(cadence, fire: fire, late: false) { self.scheduleRetry() }
                self.scheduleDigests()
                self.refreshStatus()
            }
        }
    }

    /// Sends waiting blog posts, or sets a timer for when their window closes.
    func evaluateBlog() {
        blogTimer?.cancel()
        blogTimer = nil
        switch setup.settings.schedule.blog {
        case .immediate:
            if let until = runner.runBlog() {
                blogTimer = timer(at: until) { [weak self] in self?.evaluateBlog() }
            }
        case .every(let interval):
            _ = runner.runBlog()
            blogTimer = timer(at: now().addingTimeInterval(interval)) { [weak self] in self?.evaluateBlog() }
        }
    }

    /// A one-shot timer on the job queue at a wall-clock time.
    private func timer(at date: Date, _ handler: @escaping @Sendable () -> Void) -> any DispatchSourceTimer {
        let timer = DispatchSource.makeTimerSource(queue: jobs)
        let seconds = date.timeIntervalSince1970
        let whole = Int(seconds.rounded(.down))
        timer.schedule(wallDeadline: DispatchWallTime(timespec: timespec(tv_sec: whole, tv_nsec: Int((seconds - Double(whole)) * 1e9))), leeway: .milliseconds(100))
        timer.setEventHandler(handler: handler)
        timer.resume()
        return timer
    }

    // MARK: Status

    /// Works out the status line ("next weekly digest Mon 2026-11-23 08:00 GMT; queue 0; last
    /// run ok") and what the heartbeat reports, for the housekeeping queue to pass on.
    func refreshStatus() {
        let zone = setup.settings.schedule.timeZone
        var parts: [String] = []
        if let (cadence, fire) = nextFires.min(by: { $0.value < $1.value }) {
            parts.append("next \(cadence.rawValue) digest \(JobRunner.describe(fire, in: zone))")
        }
        let queue = (try? store.read { tx in try tx.unsentCount() }) ?? 0
        parts.append("queue \(queue)")
        parts.append("last run \(runner.lastOutcome)")
        parts += statusNotes.withLock { $0.map(\.text) }
        var next: [String: String] = [:]
        for (cadence, fire) in nextFires {
            next[JobRun.digestJob(cadence)] = DisplayDate.iso(fire) + " (" + JobRunner.describe(fire, in: zone) + ")"
        }
        let snapshot = StatusSnapshot(line: parts.joined(separator: "; "), nextRuns: next, lastError: runner.lastError)
        status.withLock { $0 = snapshot }
    }

    func notify(_ fields: [String]) {
        notifier?.notify(fields)
    }
}

/// What the job queue last said about the daemon.
struct StatusSnapshot: Sendable {
    var line = "starting"
    var nextRuns: [String: String] = [:]
    var lastError: (message: String, at: Date)?
}
