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
        try makeRunner().start()
        running = true
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
