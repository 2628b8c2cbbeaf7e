import Foundation
import Logging
import NewsletterCompose
import NewsletterCore
import NewsletterDelivery

/// The daemon's delivery side: a ``DeliveryRunner`` for the configured transport, building
/// digests and blog notifications with the composer's ``EditionRenderer``.
///
/// The runner is made when first needed, so `newsletterd --once` with nothing to send works
/// without a transport configured; a reload with new SMTP settings is handed to the running
/// runner, which finishes what is on the wire and then sends with them.
public final class OutboxDelivery: DeliveryControl, @unchecked Sendable {
    private let store: Store
    private let renderer: EditionRenderer
    private let logger: Logger
    private let lock = NSLock()
    private var settings: Settings
    private var runner: DeliveryRunner?
    private var running = false
    /// Another daemon on the shared database holds the sender's lock: this one waits to
    /// take over (``takeOverIfFree()``).
    private var standingBy = false
    private var lastTakeOver = Date.distantPast
    static let takeOverInterval: TimeInterval = 5
    /// The daemon wakes the runner whenever the database changes, so its own polling is only
    /// a safety net.
    static let pollInterval: TimeInterval = 60

    public init(settings: Settings, store: Store, logger: Logger) {
        self.settings = settings
        self.store = store
        self.logger = logger
        renderer = EditionRenderer(store: store)
    }

    public func start() throws {
        lock.lock()
        defer { lock.unlock() }
        let runner = try makeRunner()
        do {
            try runner.start()
            running = true
        } catch let error as NewsletterError where error.exitStatus == .tempFailure && store.isShared {
            standingBy = true
            lastTakeOver = Date()
            logger.notice("another newsletterd sends from this database; this one stands by and takes over if it stops")
        }
    }

    /// From housekeeping: a daemon standing by starts sending once the sender's lock is free
    /// (the one that sent stopped, or died and the server dropped its lock). The new sender
    /// first puts back what the old one left `sending`, as after a crash.
    public func takeOverIfFree() {
        lock.lock()
        // A sender whose lock went with its connection (the server restarted, the network
        // dropped) may no longer be the only one: it stops, and stands by like the others.
        if running, let current = runner, current.senderLockLost {
            running = false
            standingBy = true
            lastTakeOver = Date()
            lock.unlock()
            logger.warning("this newsletterd lost the sender's lock with its connection to the database; it stops sending and stands by")
            current.stop(timeout: 20)
            return
        }
        defer { lock.unlock() }
        guard standingBy, let runner, Date().timeIntervalSince(lastTakeOver) >= Self.takeOverInterval else { return }
        lastTakeOver = Date()
        do {
            try runner.start()
            running = true
            standingBy = false
            logger.notice("this newsletterd sends now: the one that did has stopped")
        } catch let error as NewsletterError where error.exitStatus == .tempFailure {
            return
        } catch {
            logger.warning("cannot start sending", metadata: ["reason": "\(error)"])
        }
    }

    public func wake() {
        lock.lock()
        let runner = running ? runner : nil
        lock.unlock()
        runner?.wake()
    }

    public func prepareReload(_ next: Settings) throws -> PreparedReload {
        lock.lock()
        defer { lock.unlock() }
        guard next.smtp != settings.smtp || next.delivery != settings.delivery || next.mail != settings.mail else { return .unchanged }
        guard let runner else {
            // Made when first needed: check now that the transport can be built from them.
            _ = try Transports.make(next, logger: logger)
            return PreparedReload(commit: { [self] in adopt(next) })
        }
        // The running runner keeps its sender lock and its threads and takes the new
        // settings in place: stopping it and starting another would need the lock it holds
        // until a stalled reply ends.
        let prepared = try runner.prepare(settings: next)
        return PreparedReload(
            commit: { [self] in
                adopt(next)
                runner.adopt(prepared)
            },
            discard: { prepared.discard() })
    }

    private func adopt(_ next: Settings) {
        lock.lock()
        settings = next
        lock.unlock()
    }

    public func probe(_ answer: @escaping @Sendable () -> Void) {
        lock.lock()
        let runner = running ? runner : nil
        lock.unlock()
        guard let runner else { return answer() }
        runner.probe(answer)
    }

    public func wedgeForTesting() {
        lock.lock()
        let runner = running ? runner : nil
        lock.unlock()
        runner?.wedgeForTesting()
    }

    public func stop(within timeout: TimeInterval) {
        lock.lock()
        let runner = running ? runner : nil
        running = false
        standingBy = false
        lock.unlock()
        if let runner, !runner.stop(timeout: timeout) {
            logger.warning("messages were still on the wire when the grace period ended; they will be sent again at the next start")
        }
    }

    public func drain() throws -> DeliverySummary {
        lock.lock()
        defer { lock.unlock() }
        let time = Date()
        let shared = store.isShared
        guard try store.read({ tx in try tx.hasDeliveryWork(dueBy: time, claimsExpiredBy: shared ? time : nil) }) else {
            return DeliverySummary()
        }
        let report = try makeRunner().drain()
        return DeliverySummary(
            sent: report.sent, deferred: report.deferred, failed: report.failed, cancelled: report.cancelled,
            relayUnavailable: report.relayUnavailable)
    }

    private func makeRunner() throws -> DeliveryRunner {
        if let runner { return runner }
        let made = try DeliveryRunner(settings: settings, store: store, renderer: renderer, logger: logger, pollInterval: Self.pollInterval)
        runner = made
        return made
    }
}
