import Foundation
import Synchronization

/// One part of the daemon the systemd watchdog vouches for: asked at every watchdog tick to
/// answer from its own loop (a block on its queue, a pass of its thread, a request to its
/// socket). A part that leaves a question unanswered longer than its patience is stuck, and
/// the daemon stops pinging so systemd restarts it.
final class LivenessProbe: Sendable {
    let name: String
    /// How long a question may stay unanswered: at least the watchdog interval; longer for a
    /// part whose legitimate work blocks its loop for a while (a digest run on the job queue).
    let patience: TimeInterval
    private let ask: @Sendable (@escaping @Sendable () -> Void) -> Void
    /// The question outstanding (when it was asked), or nil once answered.
    private let outstanding = Mutex<(number: UInt64, since: Date)?>(nil)
    private let asked = Atomic<UInt64>(0)

    init(name: String, patience: TimeInterval, ask: @escaping @Sendable (@escaping @Sendable () -> Void) -> Void) {
        self.name = name
        self.patience = patience
        self.ask = ask
    }

    /// Whether it answered, or is still within its patience; asks again once answered.
    func check(at now: Date, interval: TimeInterval) -> Bool {
        if let pending = outstanding.withLock({ $0 }) {
            return now.timeIntervalSince(pending.since) <= max(patience, interval)
        }
        let number = asked.add(1, ordering: .relaxed).newValue
        outstanding.withLock { $0 = (number, now) }
        ask { [self] in
            outstanding.withLock { if $0?.number == number { $0 = nil } }
        }
        return true
    }
}

extension Daemon {
    /// How long the job queue may be busy with one job (a digest run for a large list)
    /// before the watchdog counts it as stuck.
    static let jobPatience: TimeInterval = 900

    /// Adds a part for the watchdog to check (the web server adds itself once listening).
    public func addLivenessProbe(
        _ name: String, patience: TimeInterval = 0, ask: @escaping @Sendable (@escaping @Sendable () -> Void) -> Void
    ) {
        let probe = LivenessProbe(name: name, patience: patience, ask: ask)
        livenessProbes.withLock { $0.append(probe) }
    }

    /// The job queue and delivery; other services add theirs.
    func addBuiltInProbes() {
        addLivenessProbe("job queue", patience: Self.jobPatience) { [jobs] answer in jobs.async { answer() } }
        addLivenessProbe("delivery") { [delivery] answer in delivery.probe(answer) }
    }

    /// On the housekeeping queue at each watchdog interval: pings only when every part answered.
    func watchdogTick(interval: TimeInterval) {
        let now = now()
        let stuck = livenessProbes.withLock { $0 }.filter { !$0.check(at: now, interval: interval) }.map(\.name)
        if stuck.isEmpty {
            if !lastStuck.isEmpty { logger.notice("every part of newsletterd answers again; watchdog pings resume") }
            lastStuck = []
            notify(["WATCHDOG=1"])
            return
        }
        guard stuck != lastStuck else { return }
        lastStuck = stuck
        let names = stuck.joined(separator: ", ")
        logger.error("not pinging the systemd watchdog: \(names) stopped answering; systemd will restart newsletterd")
        notify(["STATUS=stuck: \(names) not answering"])
    }

    /// A test-only fault: with `NEWSLETTERD_TEST_WEDGE_FILE` set, once that file exists and
    /// names a part ("delivery" or "jobs"), that part stops answering for good. Inert unless
    /// the variable is set, which nothing but the tests does.
    func checkTestWedge() {
        guard let path = ProcessInfo.processInfo.environment["NEWSLETTERD_TEST_WEDGE_FILE"], !wedged,
            let text = try? String(contentsOfFile: path, encoding: .utf8)
        else { return }
        wedged = true
        let part = text.trimmingCharacters(in: .whitespacesAndNewlines)
        logger.warning("test fault: wedging \(part)")
        switch part {
        case "jobs": jobs.async { while true { sleep(3600) } }
        case "delivery": delivery.wedgeForTesting()
        default: break
        }
    }
}
