import Foundation
import Logging
import NewsletterCore

/// Sends the outbox: claims due messages in batches, sends them over `connections` parallel
/// connections (each on its own thread), and records what happened.
///
/// Two ways to run it:
/// - ``drain()`` sends everything due when it is called and returns a ``DrainReport``
///   (`newsletterd --once`).
/// - ``start()`` keeps sending in the background until ``stop(timeout:)``: it sleeps until
///   the next message falls due, polls the database every `pollInterval` (other processes
///   queue messages too), and ``wake()`` makes it look at once.
///
/// Threads: a coordinator (claims and commits; in `drain()` it is the calling thread) and
/// sender threads, one per connection up to ``Options/maxSenderThreads``, each driving its
/// share of the connections through the transport's ``MailSession`` (for SMTP, libcurl's
/// multi interface: one easy handle per connection, all of a thread's polled at once). None runs on the Swift concurrency pool:
/// libcurl and SQLite block.
///
/// Crash safety: a message is marked `sending` before it is sent and its result is committed
/// after. Results are committed in batches of at most ``Options/maxUncommitted``, and senders
/// wait while that many are uncommitted. So after a SIGKILL the messages that can be sent
/// twice are at most one per connection (on the wire) plus `maxUncommitted` (sent, not yet
/// recorded). That bookkeeping is a value, ``DeliveryCoordinator``; this class runs its threads.
///
/// Claims: each claimed row names this runner and an expiry (``Options/claimLease``), renewed
/// while it runs. On SQLite one runner sends at a time (the file lock) and puts back every
/// row left `sending` when it starts. On PostgreSQL every daemon sends: rows are claimed
/// `FOR UPDATE SKIP LOCKED`, and a row whose claim expired (its daemon died or lost the
/// database) goes back to the queue for any of them. A runner that cannot renew its claims
/// begins none of its claimed messages after two thirds of the lease, so that only what is
/// on the wire can be sent twice when another daemon takes them over.
public final class DeliveryRunner: @unchecked Sendable {
    public struct Options: Sendable {
        /// Parallel connections (`smtp.connections`).
        public var connections: Int
        /// Results kept in memory before senders wait for a commit: part of the crash bound.
        public var maxUncommitted: Int
        /// How long a result may wait for its commit when fewer than half of `maxUncommitted` are pending.
        public var commitDelay: TimeInterval
        /// Messages claimed at once; 0 chooses from the connections and rate limits.
        public var claimBatch: Int
        /// How often an idle runner looks for newly queued messages.
        public var pollInterval: TimeInterval
        /// A connection that failed waits this long, doubling with each failure in a row, up to `connectionBackoffMax`.
        public var connectionBackoff: TimeInterval
        public var connectionBackoffMax: TimeInterval
        /// In ``drain()``, a connection gives up after this many connection failures in a row.
        public var drainConnectionAttempts: Int
        /// Threads driving the connections; 0 means one per connection, up to `maxSenderThreads`.
        public var senderThreads: Int
        /// Beyond this many connections, threads share them.
        public static let maxSenderThreads = 16
        /// Who the consent log names when a subscriber is marked bounced.
        public var actor: String
        /// How long a claim holds unless renewed; renewed every third of it.
        public var claimLease: TimeInterval

        public init(
            connections: Int = 4, maxUncommitted: Int = 100, commitDelay: TimeInterval = 0.02, claimBatch: Int = 0,
            pollInterval: TimeInterval = 2, connectionBackoff: TimeInterval = 1, connectionBackoffMax: TimeInterval = 60,
            drainConnectionAttempts: Int = 3, senderThreads: Int = 0,
            actor: String = "delivery", claimLease: TimeInterval = 30
        ) {
            self.claimLease = claimLease
            self.senderThreads = senderThreads
            self.connections = connections
            self.maxUncommitted = maxUncommitted
            self.commitDelay = commitDelay
            self.claimBatch = claimBatch
            self.pollInterval = pollInterval
            self.connectionBackoff = connectionBackoff
            self.connectionBackoffMax = connectionBackoffMax
            self.drainConnectionAttempts = drainConnectionAttempts
            self.actor = actor
        }
    }

    /// What a reload can change: where messages go and the limits on sending them.
    public struct Profile: Sendable {
        var transport: any MailTransport
        var retry: RetryPolicy
        var bounceLimit: Int
        var limits: (perSecond: Int, perHour: Int, perDay: Int)
        var connections: Int
    }

    let store: Store
    let renderer: any MessageRenderer
    let options: Options
    /// Written before the threads start, or by the coordinator in ``adoptPrepared(_:draining:)``
    /// while no sender thread runs; so each sender reads one profile from its start to its end.
    var profile: Profile
    var transport: any MailTransport { profile.transport }
    var retry: RetryPolicy { profile.retry }
    var bounceLimit: Int { profile.bounceLimit }
    var limits: (perSecond: Int, perHour: Int, perDay: Int) { profile.limits }
    let logger: Logger
    let now: @Sendable () -> Date
    /// The senders' last look before the wire, shared between them.
    let lastLook: LastLook

    // Everything below is guarded by `condition`.
    let condition = NSCondition()
    var coordinator = DeliveryCoordinator(
        draining: false, exclusive: true, hold: ClaimHold(lease: 30, owner: "", at: Date()), batch: 1, connections: 1, maxUncommitted: 1,
        commitDelay: 0)
    var running = false
    var wakeRequested = false
    var relayUnavailable = false
    var storeFailure: (any Error)?
    /// The senders' sessions, for waking their polls when there is new work or a stop.
    var activeSessions: [any MailSession] = []
    var totals = DeliveryTotals()
    /// Settings waiting for the senders to finish, to be put in force by the coordinator.
    var nextPrepared: Prepared?
    /// The watchdog's questions, answered by the coordinator's next pass.
    var probeAnswers: [@Sendable () -> Void] = []
    var wedgeRequested = false
    var limiter: RateLimiter?
    /// SQLite's sender lock while running; nil on a shared database, whose senders hold
    /// claims instead.
    private var senderLock: (any StoreLock)?
    private let done = DispatchSemaphore(value: 0)
    let workersDone = DispatchGroup()

    public init(
        store: Store, transport: any MailTransport, renderer: any MessageRenderer, delivery: DeliverySettings = DeliverySettings(),
        maxPerSecond: Int = 0, maxPerHour: Int = 0, maxPerDay: Int = 0, options: Options = Options(), logger: Logger = Logger(label: "delivery"),
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.store = store
        self.renderer = renderer
        var options = options
        options.connections = max(1, options.connections)
        options.maxUncommitted = max(1, options.maxUncommitted)
        self.options = options
        profile = Profile(
            transport: transport, retry: RetryPolicy(delivery), bounceLimit: delivery.bounceLimit,
            limits: (maxPerSecond, maxPerHour, maxPerDay), connections: options.connections)
        self.logger = logger
        self.now = now
        lastLook = LastLook { [store] messages in try store.glance { tx in try tx.reasonsNotToSend(messages) } }
    }

    /// A runner for the configured transport (`mail.transport`, `smtp:`) and limits.
    /// `pollInterval`: how often an idle runner looks for work queued by other processes;
    /// a caller that calls ``wake()`` when the database changes can make it long.
    public convenience init(
        settings: Settings, store: Store, renderer: any MessageRenderer, logger: Logger = Logger(label: "delivery"),
        environment: [String: String] = ProcessInfo.processInfo.environment, pollInterval: TimeInterval = 2
    ) throws {
        let profile = try Self.profile(settings: settings, environment: environment, logger: logger)
        self.init(
            store: store, transport: profile.transport, renderer: renderer, delivery: settings.delivery,
            maxPerSecond: profile.limits.perSecond, maxPerHour: profile.limits.perHour, maxPerDay: profile.limits.perDay,
            options: Options(connections: profile.connections, pollInterval: pollInterval), logger: logger)
    }

    /// The transport and limits `settings` configure.
    static func profile(settings: Settings, environment: [String: String], logger: Logger) throws -> Profile {
        let transport = try Transports.make(settings, environment: environment, logger: logger)
        let smtp = settings.mail.transport == .smtp
        return Profile(
            transport: transport, retry: RetryPolicy(settings.delivery), bounceLimit: settings.delivery.bounceLimit,
            limits: (smtp ? settings.smtp.maxPerSecond : 0, smtp ? settings.smtp.maxPerHour : 0, smtp ? settings.smtp.maxPerDay : 0),
            connections: max(1, smtp ? settings.smtp.connections : 1))
    }

    /// The pacing for `max_per_second`, or nil when none is set. The hourly and daily limits
    /// are not paced here: each claim takes no more than they leave, counted in the database
    /// across every sender (``transaction(_:dueBy:)``).
    static func limiter(perSecond: Int) -> RateLimiter? {
        perSecond > 0 ? RateLimiter(perSecond: perSecond, perHour: 0) : nil
    }

    /// The largest claim for `profile`: a few per connection, fewer under rate limits.
    func claimCeiling(_ profile: Profile) -> Int {
        if options.claimBatch > 0 { return options.claimBatch }
        let connections = profile.connections
        let limits = profile.limits
        var batch = max(50, connections * 25)
        if limits.perSecond > 0 { batch = min(batch, max(connections, limits.perSecond)) }
        if (limits.perHour > 0 || limits.perDay > 0) && limits.perSecond == 0 { batch = min(batch, connections * 2) }
        return batch
    }

    /// The crash-safety bound: at most this many messages can be sent twice after a SIGKILL.
    public var duplicateBound: Int {
        condition.lock()
        defer { condition.unlock() }
        return profile.connections + options.maxUncommitted
    }

    // MARK: Running

    /// Sends every message due now, then returns. Throws when another sender holds the
    /// database or the database fails; a relay that cannot be reached is not an error (the
    /// report says so, and the messages stay queued).
    public func drain() throws -> DrainReport {
        let start = now()
        let recovered = try begin(draining: true)
        defer { end() }
        launchSenders(drain: true, sessions: try openSessions(profile))
        coordinate(dueBy: { start })
        workersDone.wait()
        condition.lock()
        if let storeFailure {
            condition.unlock()
            throw storeFailure
        }
        let report = DrainReport(totals: totals, recovered: recovered, relayUnavailable: relayUnavailable)
        condition.unlock()
        logger.info(
            "outbox drained",
            metadata: [
                "sent": "\(report.sent)", "deferred": "\(report.deferred)", "failed": "\(report.failed)",
                "cancelled": "\(report.cancelled)", "bounced": "\(report.bounced)", "recovered": "\(report.recovered)",
                "destination": "\(transport.destination)",
            ])
        return report
    }

    /// Starts sending in the background; returns once the sender lock is held and
    /// interrupted messages are requeued.
    public func start() throws {
        _ = try begin(draining: false)
        let sessions: [(session: any MailSession, slots: Int)]
        do {
            sessions = try openSessions(profile)
        } catch {
            end()
            throw error
        }
        launchSenders(drain: false, sessions: sessions)
        let thread = Thread { [self] in
            coordinate(dueBy: nil)
            workersDone.wait()
            end()
            done.signal()
        }
        thread.name = "outbox"
        thread.start()
    }

    /// Looks for due messages now instead of at the next poll: call after queueing.
    public func wake() {
        condition.lock()
        wakeRequested = true
        signalAll()
        condition.unlock()
    }

    /// Stops a runner started with ``start()``: no new message is begun, those on the wire
    /// are finished and recorded, claimed but unsent ones go back to the queue. Returns
    /// false when that took longer than `timeout` (a relay stalling mid-message); the rows
    /// still `sending` are then requeued at the next start.
    @discardableResult
    public func stop(timeout: TimeInterval = 30) -> Bool {
        condition.lock()
        guard running else {
            condition.unlock()
            return true
        }
        coordinator.stop()
        signalAll()
        condition.unlock()
        return done.wait(timeout: .now() + timeout) == .success
    }

    /// Calls `answer` from the coordinator's next pass of its loop (at once when the runner
    /// is not running): the watchdog's proof that delivery is not stuck.
    public func probe(_ answer: @escaping @Sendable () -> Void) {
        condition.lock()
        guard running && coordinator.phase != .finished else {
            condition.unlock()
            return answer()
        }
        probeAnswers.append(answer)
        condition.broadcast()
        condition.unlock()
    }

    /// Test-only fault: the coordinator stops at its next pass, for good (outside the lock).
    package func wedgeForTesting() {
        condition.lock()
        wedgeRequested = true
        condition.broadcast()
        condition.unlock()
    }

    /// What has happened since the runner started.
    public var progress: DeliveryTotals {
        condition.lock()
        defer { condition.unlock() }
        return totals
    }

    /// Wakes the coordinator and the senders; call with `condition` locked.
    func signalAll() {
        condition.broadcast()
        for session in activeSessions { session.wakeup() }
    }

    // MARK: Start and end

    /// The connections shared out between the sender threads: a thread each, up to
    /// `maxSenderThreads`. libcurl 7.88 waits for the reply to the final "." inside
    /// `curl_multi_perform`, so connections sharing a thread stall each other for a round
    /// trip per message; with a thread each, `newsletterd --once` sent 100,000 38 KB digests
    /// in 24-25 s instead of 28 s (one thread per core).
    func openSessions(_ profile: Profile) throws -> [(session: any MailSession, slots: Int)] {
        let connections = profile.connections
        let threads = options.senderThreads > 0 ? options.senderThreads : min(connections, Options.maxSenderThreads)
        let count = max(1, min(connections, threads))
        var sessions: [(session: any MailSession, slots: Int)] = []
        do {
            for index in 0..<count {
                let slots = connections / count + (index < connections % count ? 1 : 0)
                sessions.append((try profile.transport.openSession(slots: slots), slots))
            }
        } catch {
            for opened in sessions { opened.session.close() }
            throw error
        }
        return sessions
    }

    private func begin(draining: Bool) throws -> Int {
        condition.lock()
        guard !running else {
            condition.unlock()
            throw NewsletterError.internalError("the delivery runner is already running")
        }
        running = true
        condition.unlock()
        do {
            // A shared database has many senders, each holding leases on what it claimed;
            // only rows whose lease expired are theirs no more.
            let exclusive = !store.isShared
            let acquired = exclusive ? try store.acquireSenderLock() : nil
            let time = now()
            let recovered = try store.write { tx in
                exclusive ? try tx.requeueInterruptedMessages(at: time) : try tx.requeueExpiredClaims(at: time)
            }
            if recovered > 0 {
                logger.notice("requeued messages a stopped sender left in flight", metadata: ["count": "\(recovered)"])
            }
            condition.lock()
            senderLock = acquired
            coordinator = DeliveryCoordinator(
                draining: draining, exclusive: exclusive, hold: ClaimHold(lease: options.claimLease, owner: Self.newOwner(), at: Date()),
                batch: claimCeiling(profile), connections: profile.connections, maxUncommitted: options.maxUncommitted,
                commitDelay: options.commitDelay)
            limiter = Self.limiter(perSecond: limits.perSecond)
            relayUnavailable = false
            storeFailure = nil
            totals = DeliveryTotals()
            condition.unlock()
            return recovered
        } catch {
            condition.lock()
            running = false
            condition.unlock()
            throw error
        }
    }

    private func end() {
        condition.lock()
        senderLock?.release()
        senderLock = nil
        running = false
        condition.unlock()
    }

    /// A name for one run's claims: the host and process, to read in `queue list`, and a
    /// random part, so a runner started again never mistakes an earlier run's claims for its own.
    static func newOwner() -> String {
        "\(ProcessInfo.processInfo.hostName)/\(getpid())/\(String(UInt32.random(in: .min ... .max), radix: 16))"
    }
}
