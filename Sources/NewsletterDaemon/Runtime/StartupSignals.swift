#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// SIGTERM, SIGINT and SIGHUP that arrive while newsletterd is starting (reading the config,
/// opening the database), before the ServiceGroup and ``DaemonService`` own them. Untrapped,
/// their default action would end the process with a signal status instead of a clean exit:
/// systemd may well send a stop or a reload at any moment after the start.
public enum StartupSignals {
    private static let caughtStop = Atomic<Int32>(0)
    private static let caughtHangup = Atomic<Bool>(false)

    /// Call first thing. Once Dispatch's signal sources take the signals over, these
    /// handlers are replaced and see nothing more.
    public static func install() {
        // Touch the atomics now: a lazy global's first use is not async-signal-safe.
        caughtStop.store(0, ordering: .relaxed)
        caughtHangup.store(false, ordering: .relaxed)
        signal(SIGTERM, record)
        signal(SIGINT, record)
        signal(SIGHUP, record)
    }

    /// For `--once`, which owns no signals: back to the default actions, and a stop that
    /// came already takes effect as it would have.
    public static func restoreDefaults() {
        for signalNumber in [SIGTERM, SIGINT, SIGHUP] { signal(signalNumber, SIG_DFL) }
        let stop = caughtStop.load(ordering: .relaxed)
        if stop != 0 { raise(stop) }
    }

    /// A stop was asked for before the service was running.
    public static var stopRequested: Bool { caughtStop.load(ordering: .relaxed) != 0 }

    /// A reload was asked for before the service was running.
    public static var hangupCaught: Bool { caughtHangup.load(ordering: .relaxed) }

    private static let record: @convention(c) (Int32) -> Void = { signalNumber in
        if signalNumber == SIGHUP {
            caughtHangup.store(true, ordering: .relaxed)
        } else {
            caughtStop.store(signalNumber, ordering: .relaxed)
        }
    }
}
