import Dispatch
import ServiceLifecycle
import UnixSignals

/// newsletterd as a swift-service-lifecycle service: SIGTERM and SIGINT (owned by the
/// ServiceGroup) start a graceful shutdown; SIGHUP reloads the configuration.
///
/// The daemon's work is blocking (SQLite, libcurl, file scans), so it runs on Dispatch
/// queues, never on the Swift concurrency pool; this service only waits for it.
public struct DaemonService: Service {
    let daemon: Daemon
    /// How long in-flight SMTP transactions may take at shutdown; below systemd's
    /// TimeoutStopSec so the daemon exits before it is killed.
    let shutdownGrace: Double
    /// Waited for before the daemon starts and tells systemd it is ready: the web server
    /// listening, say.
    let beforeStart: (@Sendable () async throws -> Void)?

    public init(daemon: Daemon, shutdownGrace: Double = 20, beforeStart: (@Sendable () async throws -> Void)? = nil) {
        self.daemon = daemon
        self.shutdownGrace = shutdownGrace
        self.beforeStart = beforeStart
    }

    public func run() async throws {
        // Trap SIGHUP before READY goes out: systemd (or a test) may send it at once, and
        // untrapped its default action ends the process.
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        try await beforeStart?()
        // Stopped while starting: returning shuts the group down, and newsletterd exits 0.
        if StartupSignals.stopRequested { return }
        try await Self.offPool { try daemon.start() }
        if StartupSignals.hangupCaught { try await Self.offPool { daemon.reload() } }
        if !StartupSignals.stopRequested {
            for await _ in hangups.cancelOnGracefulShutdown() {
                try await Self.offPool { daemon.reload() }
            }
        }
        try await Self.offPool { daemon.stop(within: shutdownGrace) }
    }

    private static func offPool(_ work: @escaping @Sendable () throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            DispatchQueue.global().async {
                do {
                    try work()
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}
