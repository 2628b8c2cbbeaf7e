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
/// recorded).
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
        /// How often a long-running runner prunes old message bodies.
        public var pruneInterval: TimeInterval
        /// Who the consent log names when a subscriber is marked bounced.
        public var actor: String
        /// How long a claim holds unless renewed; renewed every third of it.
        public var claimLease: TimeInterval

        public init(
            connections: Int = 4, maxUncommitted: Int = 100, commitDelay: TimeInterval = 0.02, claimBatch: Int = 0,
            pollInterval: TimeInterval = 2, connectionBackoff: TimeInterval = 1, connectionBackoffMax: TimeInterval = 60,
            drainConnectionAttempts: Int = 3, senderThreads: Int = 0, pruneInterval: TimeInterval = 3600,
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
            self.pruneInterval = pruneInterval
            self.actor = actor
        }
    }

    /// What a reload can change: where messages go and the limits on sending them.
    public struct Profile: Sendable {
        var transport: any MailTransport
        var retry: RetryPolicy
        var bounceLimit: Int
        var keepSentDays: Int
        var limits: (perSecond: Int, perHour: Int, perDay: Int)
        var connections: Int
    }

    let store: Store
    let renderer: any MessageRenderer
    let options: Options
    /// Written before the threads start, or by the coordinator in ``adoptPrepared(_:)`` while
    /// no sender thread runs; so each sender reads one profile from its start to its end.
    private var profile: Profile
    var transport: any MailTransport { profile.transport }
    var retry: RetryPolicy { profile.retry }
    var bounceLimit: Int { profile.bounceLimit }
    var keepSentDays: Int { profile.keepSentDays }
    var limits: (perSecond: Int, perHour: Int, perDay: Int) { profile.limits }
    let logger: Logger
    let now: @Sendable () -> Date

    // Everything below is guarded by `condition`.
    private let condition = NSCondition()
    private var pending: [OutboxMessage] = []
    private var pendingHead = 0
    private var results: [DeliveryRecord] = []
    private var firstResultAt: Date?
    private var inFlight = 0
    private var liveWorkers = 0
    private var claimExhausted = false
    private var finished = false
    private var stopping = false
    private var wakeRequested = false
    private var relayUnavailable = false
    /// Results taken for the commit in progress: they count against `maxUncommitted` too.
    private var committing = 0
    private var abandoned = false
    /// The sender has told the coordinator that work is running low since its last claim.
    private var claimSignalled = false
    private var storeFailure: (any Error)?
    /// The sender's session, for waking its poll when there is new work or a stop.
    private var activeSessions: [any MailSession] = []
    private var totals = DeliveryTotals()
    private var running = false
    /// Settings waiting for the senders to finish, to be put in force by the coordinator.
    private var nextPrepared: Prepared?
    /// The watchdog's questions, answered by the coordinator's next pass.
    private var probeAnswers: [@Sendable () -> Void] = []
    private var wedgeRequested = false
    private var limiter: RateLimiter?
    /// SQLite's sender lock while running; nil on a shared database, whose senders hold
    /// claims instead.
    private var senderLock: (any StoreLock)?
    private let done = DispatchSemaphore(value: 0)
    private let workersDone = DispatchGroup()
    /// Whose claims this runner's rows carry, and whether they may have lapsed.
    private var hold = ClaimHold(lease: 30, owner: "", at: Date())
    /// Only this runner sends from the database (SQLite): its claims cannot be taken over.
    private var exclusive = true
    /// Hourly or daily limits are used up across the senders until then (the store's clock).
    private var claimPausedUntil: Date?

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
            transport: transport, retry: RetryPolicy(delivery), bounceLimit: delivery.bounceLimit, keepSentDays: delivery.keepSentDays,
            limits: (maxPerSecond, maxPerHour, maxPerDay), connections: options.connections)
        self.logger = logger
        self.now = now
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
            keepSentDays: settings.delivery.keepSentDays,
            limits: (smtp ? settings.smtp.maxPerSecond : 0, smtp ? settings.smtp.maxPerHour : 0, smtp ? settings.smtp.maxPerDay : 0),
            connections: max(1, smtp ? settings.smtp.connections : 1))
    }

    /// The pacing for `max_per_second`, or nil when none is set. The hourly and daily limits
    /// are not paced here: each claim takes no more than they leave, counted in the database
    /// across every sender (``transaction(_:claim:renew:dueBy:)``).
    static func limiter(perSecond: Int) -> RateLimiter? {
        perSecond > 0 ? RateLimiter(perSecond: perSecond, perHour: 0) : nil
    }

    /// The crash-safety bound: at most this many messages can be sent twice after a SIGKILL.
    public var duplicateBound: Int {
        condition.lock()
        defer { condition.unlock() }
        return profile.connections + options.maxUncommitted
    }

    // MARK: Reloading

    /// New settings, checked and built (the transport and its sessions, which connect
    /// lazily), not yet in force: ``adopt(_:)`` puts them in force, ``discard()`` drops them.
    public final class Prepared: @unchecked Sendable {
        let profile: Profile
        private let lock = NSLock()
        private var sessions: [(session: any MailSession, slots: Int)]

        init(profile: Profile, sessions: [(session: any MailSession, slots: Int)]) {
            self.profile = profile
            self.sessions = sessions
        }

        /// The sessions, once: whoever takes them closes them.
        func take() -> [(session: any MailSession, slots: Int)] {
            lock.lock()
            defer { lock.unlock() }
            let taken = sessions
            sessions = []
            return taken
        }

        public func discard() {
            for opened in take() { opened.session.close() }
        }
    }

    /// Builds what `settings` configure without touching what runs; throws when they cannot
    /// be used (a password file that cannot be read, say).
    public func prepare(settings: Settings, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Prepared {
        let profile = try Self.profile(settings: settings, environment: environment, logger: logger)
        return Prepared(profile: profile, sessions: try openSessions(profile))
    }

    /// Puts prepared settings in force, keeping the sender lock and the claimed messages: the
    /// senders finish the messages on the wire and begin no new ones, then senders with the
    /// new settings take over (so a relay stalling one reply delays the change, never stops
    /// delivery). A runner not running takes them at once. Prepared settings adopted while
    /// earlier ones still wait replace them.
    public func adopt(_ prepared: Prepared) {
        condition.lock()
        if running && !stopping && !finished {
            let replaced = nextPrepared
            nextPrepared = prepared
            signalAll()
            condition.unlock()
            replaced?.discard()
            return
        }
        if !running { profile = prepared.profile }
        condition.unlock()
        // A runner that starts later opens its own sessions.
        prepared.discard()
    }

    // MARK: Running

    /// Sends every message due now, then returns. Throws when another sender holds the
    /// database or the database fails; a relay that cannot be reached is not an error (the
    /// report says so, and the messages stay queued).
    public func drain() throws -> DrainReport {
        let start = now()
        let recovered = try begin()
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
        _ = try begin()
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
        stopping = true
        signalAll()
        condition.unlock()
        return done.wait(timeout: .now() + timeout) == .success
    }

    /// Calls `answer` from the coordinator's next pass of its loop (at once when the runner
    /// is not running): the watchdog's proof that delivery is not stuck.
    public func probe(_ answer: @escaping @Sendable () -> Void) {
        condition.lock()
        guard running && !finished else {
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

    /// Wakes the coordinator and the sender; call with `condition` locked.
    private func signalAll() {
        condition.broadcast()
        for session in activeSessions { session.wakeup() }
    }

    // MARK: Start and end

    /// The connections shared out between the sender threads: a thread each, up to
    /// `maxSenderThreads`. libcurl 7.88 waits for the reply to the final "." inside
    /// `curl_multi_perform`, so connections sharing a thread stall each other for a round
    /// trip per message; with a thread each, `newsletterd --once` sent 100,000 38 KB digests
    /// in 24-25 s instead of 28 s (one thread per core).
    private func openSessions(_ profile: Profile) throws -> [(session: any MailSession, slots: Int)] {
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

    private func begin() throws -> Int {
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
            prune()
            condition.lock()
            senderLock = acquired
            self.exclusive = exclusive
            hold = ClaimHold(lease: options.claimLease, owner: Self.newOwner(), at: Date())
            claimPausedUntil = nil
            limiter = Self.limiter(perSecond: limits.perSecond)
            pending = []
            pendingHead = 0
            results = []
            firstResultAt = nil
            claimExhausted = false
            finished = false
            stopping = false
            relayUnavailable = false
            committing = 0
            claimSignalled = false
            abandoned = false
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

    private var lastPrune = Date.distantPast

    private func prune() {
        let time = now()
        lastPrune = time
        do {
            let cutoff = time - TimeInterval(keepSentDays) * 86400
            let pruned = try store.write { tx in try tx.pruneSentMessages(before: cutoff) }
            if pruned.messages > 0 || pruned.editions > 0 {
                logger.info(
                    "pruned the bodies of old sent messages",
                    metadata: ["messages": "\(pruned.messages)", "editions": "\(pruned.editions)", "keep_sent_days": "\(keepSentDays)"])
            }
        } catch {
            logger.error("could not prune old sent messages", metadata: ["error": "\(error)"])
        }
    }

    // MARK: Claims

    /// A name for one run's claims: the host and process, to read in `queue list`, and a
    /// random part, so a runner started again never mistakes an earlier run's claims for its own.
    static func newOwner() -> String {
        "\(ProcessInfo.processInfo.hostName)/\(getpid())/\(String(UInt32.random(in: .min ... .max), radix: 16))"
    }

    /// Whether this runner holds claimed rows: pending, on the wire, or sent and not yet recorded.
    private var holdsClaims: Bool { pendingCount > 0 || inFlight > 0 || !results.isEmpty || committing > 0 }

    /// The claims may have expired: no renewal for two thirds of the lease. Call with
    /// `condition` locked.
    private var claimsLapsed: Bool {
        !exclusive && holdsClaims && hold.lapsed(at: Date())
    }

    /// After a lapse, the claimed messages not begun are left for whichever sender puts them
    /// back, and this runner claims afresh under a new name. Call with `condition` locked.
    private func abandonLapsedClaims() {
        let dropped = pendingCount
        pending = []
        pendingHead = 0
        hold.abandon(newOwner: Self.newOwner(), at: Date())
        logger.warning(
            "could not renew this sender's claims on the database in time; leaving the messages it had not begun to another sender",
            metadata: ["messages": "\(dropped)", "lease_seconds": "\(Int(options.claimLease))"])
    }

    // MARK: The coordinator

    private var claimBatch: Int {
        if options.claimBatch > 0 { return options.claimBatch }
        let connections = profile.connections
        var batch = max(50, connections * 25)
        if limits.perSecond > 0 { batch = min(batch, max(connections, limits.perSecond)) }
        if (limits.perHour > 0 || limits.perDay > 0) && limits.perSecond == 0 { batch = min(batch, connections * 2) }
        return batch
    }

    private var pendingCount: Int { pending.count - pendingHead }

    /// Results that make a commit worth doing at once rather than after `commitDelay`.
    private var commitThreshold: Int { max(1, options.maxUncommitted / 2) }

    /// Claims and commits until the work is done (drain) or the runner is stopped.
    /// `dueBy` is the drain's start; nil means "now" each time (continuous).
    private func coordinate(dueBy: (() -> Date)?) {
        let draining = dueBy != nil
        var batch = claimBatch
        var sizer = ClaimSizer(ceiling: batch, connections: profile.connections)
        let commitNow = commitThreshold
        var failures = 0
        while true {
            condition.lock()
            var claim = false
            var renew = false
            var commit: [DeliveryRecord] = []
            var quit = false
            var adopting: Prepared?
            while true {
                if wedgeRequested {
                    condition.unlock()
                    while true { sleep(3600) }
                }
                if !probeAnswers.isEmpty {
                    probeAnswers.forEach { $0() }
                    probeAnswers = []
                }
                if wakeRequested {
                    wakeRequested = false
                    if (claimPausedUntil ?? .distantPast) <= now() { claimExhausted = false }
                }
                if claimsLapsed { abandonLapsedClaims() }
                // New settings wait for the last sender to leave (its messages recorded as results).
                if let next = nextPrepared, liveWorkers == 0, !stopping, !abandoned {
                    adopting = next
                    nextPrepared = nil
                    break
                }
                let idle = pendingCount == 0 && inFlight == 0
                let resultsDue =
                    !results.isEmpty
                    && (results.count >= commitNow || idle || stopping || liveWorkers == 0
                        || Date().timeIntervalSince(firstResultAt ?? Date()) >= options.commitDelay)
                claim = !stopping && !claimExhausted && liveWorkers > 0 && pendingCount < max(1, batch / 2)
                renew = !exclusive && holdsClaims && hold.renewDue(at: Date())
                if resultsDue || claim || renew { break }
                // Stopping waits for the messages on the wire, so their results are committed.
                if abandoned || (results.isEmpty && inFlight == 0 && (stopping || liveWorkers == 0 || (draining && claimExhausted && idle))) {
                    quit = true
                    break
                }
                if !results.isEmpty {
                    _ = condition.wait(until: (firstResultAt ?? Date()) + options.commitDelay)
                } else if claimExhausted && idle && !draining {
                    // Idle: sleep until the next message falls due (a deferred one's retry), the
                    // poll, a wake-up or a stop, then see whether anything fell due.
                    // Another sender's claims that expire are work too.
                    let others = exclusive ? nil : hold.owner
                    let paused = claimPausedUntil ?? .distantPast
                    condition.unlock()
                    let nextDue = ((try? store.read { tx in try tx.nextDueTime(claimsNotOf: others) }) ?? nil).map { max($0, paused) }
                    condition.lock()
                    let wakeAt = min(Date() + options.pollInterval, nextDue.map { Date() + max(0, $0.timeIntervalSince(now())) } ?? .distantFuture)
                    if !stopping && !wakeRequested { _ = condition.wait(until: wakeAt) }
                    if !stopping && !wakeRequested {
                        condition.unlock()
                        let due = (try? store.read { tx in try tx.nextDueTime(claimsNotOf: others) }) ?? nil
                        if now().timeIntervalSince(lastPrune) >= options.pruneInterval { prune() }
                        condition.lock()
                        if let due, max(due, paused) <= now() { claimExhausted = false }
                    }
                } else if !exclusive && holdsClaims {
                    _ = condition.wait(until: hold.nextRenewal)
                } else {
                    condition.wait()
                }
            }
            if let adopting {
                condition.unlock()
                adoptPrepared(adopting, draining: draining)
                batch = claimBatch
                sizer = ClaimSizer(ceiling: batch, connections: profile.connections)
                continue
            }
            if quit {
                finished = true
                signalAll()
                let leftover = Array(pending[pendingHead...])
                pending = []
                pendingHead = 0
                let unused = nextPrepared
                nextPrepared = nil
                condition.unlock()
                unused?.discard()
                release(leftover)
                return
            }
            commit = results
            results = []
            committing = commit.count
            firstResultAt = nil
            let renewing = !exclusive && (claim || renew)
            condition.unlock()

            let due = dueBy?() ?? now()
            let started = Date()
            // The batch may change with the sending rate below: a claim is judged short
            // against what it asked for.
            let requested = claim ? batch : 0
            do {
                let outcome = try transaction(commit, claim: requested, renew: renewing, dueBy: due)
                failures = 0
                condition.lock()
                committing = 0
                if outcome.renewed { hold.renewed(started: started, finished: Date()) }
                if let senders = outcome.senders { limiter?.sharePerSecond(among: senders) }
                if !exclusive && !commit.isEmpty {
                    sizer.record(commit.count, at: Date())
                    batch = sizer.batch
                }
                if claim { claimPausedUntil = outcome.pausedUntil }
                totals.add(outcome.states, bounced: outcome.bounced, cancelled: outcome.claimed.cancelled)
                pending.removeFirst(pendingHead)
                pendingHead = 0
                pending += outcome.claimed.messages
                if claim { claimSignalled = false }
                if claim && (outcome.claimed.messages.count + outcome.claimed.cancelled < requested || outcome.pausedUntil != nil) {
                    claimExhausted = true
                }
                signalAll()
                condition.unlock()
            } catch {
                failures += 1
                logger.error("could not update the outbox; trying again", metadata: ["error": "\(error)", "failures": "\(failures)"])
                condition.lock()
                committing = 0
                results = commit + results
                if firstResultAt == nil && !results.isEmpty { firstResultAt = Date() }
                if draining && failures >= 5 {
                    // Give up: stop the senders and report the error; what is still
                    // `sending` is requeued at the next start.
                    storeFailure = error
                    abandoned = true
                    stopping = true
                    signalAll()
                } else {
                    _ = condition.wait(until: Date() + min(Double(failures), 10))
                }
                condition.unlock()
            }
        }
    }

    /// On the coordinator, with no sender running: the new profile and rate limiter, then
    /// senders on the prepared sessions.
    private func adoptPrepared(_ prepared: Prepared, draining: Bool) {
        let next = prepared.profile
        let sessions = prepared.take()
        condition.lock()
        profile = next
        limiter = Self.limiter(perSecond: next.limits.perSecond)
        let stopped = stopping
        condition.unlock()
        if stopped || sessions.isEmpty {
            for opened in sessions { opened.session.close() }
            return
        }
        launchSenders(drain: draining, sessions: sessions)
        logger.info(
            "delivery settings in force",
            metadata: ["destination": "\(next.transport.destination)", "connections": "\(next.connections)"])
    }

    private struct TransactionOutcome {
        var states: [Int64: DeliveryState]
        var bounced: Int
        var claimed: ClaimedMessages
        /// The claims named in the transaction were renewed.
        var renewed = false
        /// Hourly or daily limits are used up until then.
        var pausedUntil: Date?
        /// How many daemons share the per-second limit, when it was counted.
        var senders: Int?
    }

    /// One write transaction: record results (and any bounces they cause), then claim the
    /// next batch and renew this runner's claims (only on a shared database: on SQLite no
    /// other sender can take them).
    /// On a shared database, the claim first puts back rows whose claims expired; the
    /// hourly and daily limits are counted across every sender.
    private func transaction(_ records: [DeliveryRecord], claim limit: Int, renew: Bool, dueBy: Date) throws -> TransactionOutcome {
        let time = now()
        let expiry = time - retry.maxAge
        let lease = ClaimLease(owner: hold.owner, expiresAt: time + options.claimLease)
        let shared = !exclusive
        let limits = self.limits
        // Claims stay within what the hourly and daily limits leave, so a claimed message is
        // never held for the window to free: `newsletterd --once` sends what they allow, and
        // the rest waits in the queue.
        let budgeted = limit > 0 && (limits.perHour > 0 || limits.perDay > 0)
        let work = { (tx: StoreTransaction) throws -> TransactionOutcome in
            var outcome = TransactionOutcome(states: [:], bounced: 0, claimed: ClaimedMessages(messages: [], cancelled: 0))
            if !records.isEmpty {
                outcome.states = try tx.recordDeliveries(records, expireBefore: expiry, at: time)
                for record in records where record.result == .failed && outcome.states[record.messageID] == .failed {
                    guard let subscriber = record.subscriberID, let code = record.code, (500...599).contains(code) else { continue }
                    if try BounceRule.apply(
                        subscriberID: subscriber, limit: self.bounceLimit, lastReply: record.text, actor: self.options.actor, at: time, in: tx)
                    {
                        outcome.bounced += 1
                        self.logger.notice("subscriber marked bounced", metadata: ["subscriber_id": "\(subscriber)", "limit": "\(self.bounceLimit)"])
                    }
                }
            }
            var limit = limit
            if limit > 0 && shared {
                let requeued = try tx.requeueExpiredClaims(at: time, exceptOwner: lease.owner)
                if requeued > 0 {
                    self.logger.notice("put back messages whose sender's claim expired", metadata: ["count": "\(requeued)"])
                }
                if limits.perSecond > 0 { outcome.senders = max(1, try tx.liveDaemonCount(since: time - 90)) }
            }
            if budgeted {
                let budget = try tx.sendingBudget(perHour: limits.perHour, perDay: limits.perDay, at: time)
                limit = min(limit, budget.remaining)
                outcome.pausedUntil = budget.freesAt
            }
            if limit > 0 { outcome.claimed = try tx.claimDueMessages(limit: limit, dueBy: dueBy, lease: lease, at: time) }
            if renew {
                try tx.renewClaims(lease)
                outcome.renewed = true
            }
            return outcome
        }
        // Bounces change subscribers, and the limits count every sender's claims: those take
        // the store-wide write lock; the rest lock only their outbox rows.
        let bounces = records.contains { $0.result == .failed && $0.subscriberID != nil && (500...599).contains($0.code ?? 0) }
        return bounces || budgeted ? try store.write(work) : try store.writeRows(work)
    }

    /// Claimed messages that were never sent go back to where they were.
    private func release(_ messages: [OutboxMessage]) {
        guard !messages.isEmpty else { return }
        let ids = messages.map(\.id)
        do {
            try store.writeRows { tx in try tx.releaseClaimedMessages(ids: ids, owner: hold.owner, at: now()) }
        } catch {
            logger.error(
                "could not return unsent messages to the queue; the next start will", metadata: ["count": "\(ids.count)", "error": "\(error)"])
        }
    }

    // MARK: The sender

    /// One slot per connection: what it is doing now.
    private enum Slot {
        case idle
        /// Waiting for the rate limit to allow this send; claimed in `epoch` (``ClaimHold/epoch``).
        case scheduled(OutboxMessage, at: Date, epoch: Int)
        case busy(OutboxMessage)
        /// Paused after connection failures in a row.
        case paused(until: Date)
        /// Given up for this drain.
        case retired
    }

    private func launchSenders(drain: Bool, sessions: [(session: any MailSession, slots: Int)]) {
        condition.lock()
        liveWorkers = sessions.reduce(0) { $0 + $1.slots }
        activeSessions = sessions.map(\.session)
        condition.unlock()
        var first = 0
        for (index, (session, slots)) in sessions.enumerated() {
            workersDone.enter()
            let offset = first
            let thread = Thread { [self] in
                let retired = sendLoop(session: session, slots: slots, offset: offset, draining: drain)
                // Out of the list `signalAll` wakes before it is closed: a wake-up after
                // `close` would reach a freed libcurl handle.
                condition.lock()
                activeSessions.removeAll { $0 === session }
                condition.unlock()
                session.close()
                condition.lock()
                // Its retired slots were counted off as they retired; count off the rest.
                liveWorkers -= slots - retired
                condition.broadcast()
                condition.unlock()
                workersDone.leave()
            }
            thread.name = "smtp-\(index)"
            thread.start()
            first += slots
        }
    }

    /// The sender thread: keeps every slot busy while there is work, the rate limits allow
    /// it and fewer than `maxUncommitted` results wait for their commit; the renderer and
    /// the message checks run here, outside any transaction.
    /// Returns how many of its slots retired (and were counted off `liveWorkers`).
    private func sendLoop(session: any MailSession, slots count: Int, offset: Int, draining: Bool) -> Int {
        var slots = [Slot](repeating: .idle, count: count)
        var failures = [Int](repeating: 0, count: count)
        var retiredSlots = 0
        var random = SystemRandomNumberGenerator()
        while true {
            // Hand out work to free slots.
            var starts: [(slot: Int, message: OutboxMessage)] = []
            var immediate: [(slot: Int, message: OutboxMessage, result: SendResult)] = []
            let clock = Date()
            condition.lock()
            let busyCount = slots.filter { if case .busy = $0 { return true } else { return false } }.count
            if stopping || finished || nextPrepared != nil {
                // Not begun: hand rate-limited messages back so they are released with the rest
                // (or, for new settings, sent by the senders that take over).
                for index in slots.indices {
                    if case .scheduled(let message, _, let epoch) = slots[index] {
                        if epoch == hold.epoch { pending.insert(message, at: pendingHead) }
                        inFlight -= 1
                        slots[index] = .idle
                    }
                }
                if busyCount == 0 {
                    condition.broadcast()
                    condition.unlock()
                    return retiredSlots
                }
            } else {
                // Claims that may have expired are not begun: another sender may have them now.
                let lapsed = claimsLapsed
                for index in slots.indices {
                    switch slots[index] {
                    case .paused(let until) where until <= clock:
                        slots[index] = .idle
                    case .scheduled(_, _, let epoch) where epoch != hold.epoch || lapsed:
                        inFlight -= 1
                        slots[index] = .idle
                        condition.broadcast()
                    case .scheduled(let message, let at, _) where at <= clock:
                        starts.append((index, message))
                        slots[index] = .busy(message)
                    default: break
                    }
                    guard case .idle = slots[index], !lapsed, pendingCount > 0, results.count + committing < options.maxUncommitted else {
                        continue
                    }
                    let message = pending[pendingHead]
                    pendingHead += 1
                    inFlight += 1
                    if let limiter, case let at = limiter.reserve(now: clock), at > clock {
                        slots[index] = .scheduled(message, at: at, epoch: hold.epoch)
                    } else {
                        starts.append((index, message))
                        slots[index] = .busy(message)
                    }
                }
            }
            condition.unlock()

            // The last look before the wire: an unsubscribe or an erase since the claim wins.
            var refusedAny = false
            if !starts.isEmpty {
                do {
                    let batch = starts.map(\.message)
                    let refusals = try store.glance { tx in try tx.reasonsNotToSend(batch) }
                    if !refusals.isEmpty {
                        refusedAny = true
                        cancelRefused(refusals, among: batch)
                        for entry in starts where refusals[entry.message.id] != nil { slots[entry.slot] = .idle }
                        starts.removeAll { refusals[$0.message.id] != nil }
                        condition.lock()
                        inFlight -= refusals.count
                        totals.cancelled += refusals.count
                        condition.broadcast()
                        condition.unlock()
                    }
                } catch {
                    // Unchecked is unsent: tried again later, like any temporary failure.
                    for (slot, message) in starts {
                        immediate.append((slot, message, SendResult(.temporary, text: "not sent yet: could not check that the recipient is still subscribed: \(error)")))
                    }
                    starts = []
                }
            }

            for (slot, message) in starts {
                switch build(message) {
                case .success(let outgoing): session.begin(outgoing, slot: slot)
                case .failure(let result): immediate.append((slot, message, result))
                }
            }

            // Wait for sends to finish, a wake-up, or the next paused or scheduled slot.
            var timeout: TimeInterval = 1
            for slot in slots {
                switch slot {
                case .paused(let until): timeout = min(timeout, until.timeIntervalSinceNow)
                case .scheduled(_, let at, _): timeout = min(timeout, at.timeIntervalSinceNow)
                default: break
                }
            }
            let done = immediate.isEmpty && !refusedAny ? session.poll(timeout: max(0, timeout)) : session.poll(timeout: 0)
            var finishedSends: [(slot: Int, message: OutboxMessage, result: SendResult)] = immediate
            for (slot, result) in done {
                guard case .busy(let message) = slots[slot] else { continue }
                finishedSends.append((slot, message, result))
            }
            guard !finishedSends.isEmpty else { continue }

            var records: [DeliveryRecord] = []
            var retired = 0
            var connectionFailures = 0
            for (slot, message, result) in finishedSends {
                records.append(
                    DeliveryRecord(
                        messageID: message.id, subscriberID: message.subscriberID, result: disposition(result, message, &random),
                        code: result.code, text: result.text))
                log(result, message, slot: offset + slot)
                slots[slot] = .idle
                guard result.connectionFailed else {
                    failures[slot] = 0
                    continue
                }
                connectionFailures += 1
                failures[slot] += 1
                if draining && failures[slot] >= options.drainConnectionAttempts {
                    logger.error(
                        "giving up on this connection for now: the relay could not be reached or refused the session",
                        metadata: ["connection": "\(offset + slot)", "failures": "\(failures[slot])", "destination": "\(transport.destination)"])
                    slots[slot] = .retired
                    retired += 1
                    retiredSlots += 1
                } else {
                    let pause = min(options.connectionBackoff * pow(2, Double(failures[slot] - 1)), options.connectionBackoffMax)
                    logger.notice("connection failed; pausing it", metadata: ["connection": "\(offset + slot)", "seconds": "\(pause)"])
                    slots[slot] = .paused(until: Date() + pause)
                }
            }
            condition.lock()
            // Commit timing runs on the real clock; `now` is the time written to the store.
            let first = results.isEmpty
            if first { firstResultAt = Date() }
            results += records
            inFlight -= records.count
            totals.connectionFailures += connectionFailures
            if retired > 0 {
                relayUnavailable = true
                liveWorkers -= retired
            }
            // This thread is done when all its slots are; the drain when every thread's are.
            let allRetired = retiredSlots == count
            // Wake the coordinator only when it has something to do: start its commit timer,
            // commit a full batch, claim more, or finish. A wake-up per message would cost a
            // context switch per message.
            let wantsClaim = !claimExhausted && !claimSignalled && pendingCount < claimBatch / 2
            if wantsClaim { claimSignalled = true }
            if first || wantsClaim || results.count >= commitThreshold || (inFlight == 0 && pendingCount == 0) || retired > 0 {
                condition.broadcast()
            }
            condition.unlock()
            if allRetired {
                // Nothing can be sent in this drain: give the unsent work back.
                condition.lock()
                for index in slots.indices {
                    if case .scheduled(let message, _, let epoch) = slots[index] {
                        if epoch == hold.epoch { pending.insert(message, at: pendingHead) }
                        inFlight -= 1
                    }
                }
                condition.broadcast()
                condition.unlock()
                return retiredSlots
            }
        }
    }

    /// Marks refused claimed messages `cancelled` with their reason. If that write fails they
    /// stay `sending` (not sent either way), and the next start requeues them for the claim to cancel.
    private func cancelRefused(_ refusals: [Int64: SendRefusal], among messages: [OutboxMessage]) {
        for message in messages {
            guard let refusal = refusals[message.id] else { continue }
            logger.notice("claimed message not sent", metadata: ["id": "\(message.id)", "to": "\(message.envelopeTo)", "reason": "\(refusal.reason)"])
        }
        let reasons = refusals.filter(\.value.rowRemains).mapValues(\.reason)
        guard !reasons.isEmpty else { return }
        do {
            _ = try store.write { tx in try tx.cancelClaimedMessages(reasons, at: now()) }
        } catch {
            logger.error("could not mark refused messages cancelled; they are not sent", metadata: ["count": "\(reasons.count)", "error": "\(error)"])
        }
    }

    private enum Built {
        case success(OutgoingMessage)
        case failure(SendResult)
    }

    private func build(_ message: OutboxMessage) -> Built {
        do {
            let data = try renderer.render(message)
            return .success(try OutgoingMessage(from: message.envelopeFrom, to: message.envelopeTo, data: data))
        } catch let error as MessageError where error.code == .unsendable {
            return .failure(SendResult(.permanent, text: "not sent: \(error.message)"))
        } catch {
            return .failure(SendResult(.temporary, text: "could not build the message: \(error)"))
        }
    }

    private func log(_ result: SendResult, _ message: OutboxMessage, slot: Int) {
        switch result.disposition {
        case .sent:
            logger.debug("sent", metadata: ["id": "\(message.id)", "to": "\(message.envelopeTo)", "reply": "\(result.text)"])
        case .temporary, .permanent:
            logger.warning(
                result.disposition == .temporary ? "temporary failure" : "permanent failure",
                metadata: [
                    "id": "\(message.id)", "to": "\(message.envelopeTo)", "code": "\(result.code.map(String.init) ?? "-")",
                    "reply": "\(result.text)", "connection": "\(slot)",
                ])
        }
    }

    private func disposition(_ result: SendResult, _ message: OutboxMessage, _ random: inout SystemRandomNumberGenerator) -> DeliveryRecord.Result {
        switch result.disposition {
        case .sent: return .sent
        case .permanent: return .failed
        case .temporary: return .retry(at: now() + retry.delay(afterAttempts: message.attempts, using: &random))
        }
    }
}

/// Counts of what a runner did.
public struct DeliveryTotals: Sendable, Equatable {
    public var sent = 0
    public var deferred = 0
    public var failed = 0
    public var cancelled = 0
    /// Subscribers marked bounced.
    public var bounced = 0
    /// Sends that failed because the connection did (could not connect, TLS, login, 421, timeouts).
    public var connectionFailures = 0

    public init() {}

    mutating func add(_ states: [Int64: DeliveryState], bounced: Int, cancelled: Int) {
        var counts = (sent: 0, deferred: 0, failed: 0)
        for state in states.values {
            switch state {
            case .sent: counts.sent += 1
            case .deferred: counts.deferred += 1
            case .failed: counts.failed += 1
            default: break
            }
        }
        sent += counts.sent
        deferred += counts.deferred
        failed += counts.failed
        DeliveryMetrics.record(counts)
        self.bounced += bounced
        self.cancelled += cancelled
    }
}

/// What one ``DeliveryRunner/drain()`` did.
public struct DrainReport: Sendable, Equatable {
    public var totals: DeliveryTotals
    /// Messages a previous sender left `sending`, requeued at the start.
    public var recovered: Int
    /// Every connection gave up: the relay could not be reached, refused the session or the login.
    public var relayUnavailable: Bool

    public var sent: Int { totals.sent }
    public var deferred: Int { totals.deferred }
    public var failed: Int { totals.failed }
    public var cancelled: Int { totals.cancelled }
    public var bounced: Int { totals.bounced }
}
