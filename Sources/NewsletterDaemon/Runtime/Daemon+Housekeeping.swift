import Dispatch
import Foundation
import NewsletterCore

/// Work that must keep going while a long job runs: systemd's watchdog, the heartbeat row
/// `newsletterctl status` reads, waking delivery when `newsletterctl` queued something,
/// rescheduling after the wall clock jumps, and (on the leader) the hourly cleanup.
extension Daemon {
    static let housekeepingInterval: TimeInterval = 2
    static let heartbeatInterval: TimeInterval = 30

    func startHousekeeping() {
        housekeepingQueue.sync {
            changeStamp = store.changeStamp() ?? ""
            clockCheck = (now(), ProcessInfo.processInfo.systemUptime)
            let timer = DispatchSource.makeTimerSource(queue: housekeepingQueue)
            timer.schedule(deadline: .now() + Self.housekeepingInterval, repeating: Self.housekeepingInterval, leeway: .milliseconds(200))
            timer.setEventHandler { [weak self] in self?.tick() }
            timer.resume()
            housekeepingTimer = timer

            if let interval = SystemdNotifier.watchdogInterval() {
                let watchdog = DispatchSource.makeTimerSource(queue: housekeepingQueue)
                watchdog.schedule(deadline: .now(), repeating: interval, leeway: .milliseconds(Int(interval * 100)))
                // Pings only while the job queue, delivery and the web server answer.
                watchdog.setEventHandler { [weak self] in self?.watchdogTick(interval: interval) }
                watchdog.resume()
                watchdogTimer = watchdog
            }
        }
    }

    private func tick() {
        checkTestWedge()
        // Another process (newsletterctl digest run, queue retry, a web sign-up) committed.
        let stamp = store.changeStamp() ?? changeStamp
        let changed = stamp != changeStamp
        if changed {
            changeStamp = stamp
            delivery.wake()
        }

        // Timers are set for wall-clock times; if the clock moved under them (NTP stepping,
        // a suspended VM), work them out again.
        let wall = now()
        let uptime = ProcessInfo.processInfo.systemUptime
        let drift = wall.timeIntervalSince(clockCheck.wall) - (uptime - clockCheck.uptime)
        clockCheck = (wall, uptime)
        if abs(drift) > 5 {
            logger.warning("the system clock jumped; recomputing the schedule", metadata: ["seconds": "\(Int(drift))"])
            jobs.async {
                guard self.isLeader else { return }
                self.scheduleDigests()
                self.evaluateBlog()
            }
        }

        if store.isShared {
            let idle = leadershipCheckPending.withLock { pending in
                defer { pending = true }
                return !pending
            }
            if idle { checkLeadership() }
        }
        if isLeader { cleanUpIfDue(at: wall) }
        if wall.timeIntervalSince(lastHeartbeat) >= Self.heartbeatInterval {
            writeHeartbeat(state: "running")
            if store.isShared { recordInstance() }
        }
        let line = status.withLock { $0.line }
        if line != lastNotifiedStatus {
            lastNotifiedStatus = line
            notify(["STATUS=\(line)"])
        }
        // The status line counts the queue: worth a query only when the database changed.
        if changed || wall.timeIntervalSince(lastStatusRefresh) >= Self.heartbeatInterval {
            lastStatusRefresh = wall
            jobs.async { self.refreshStatus() }
        }
    }

    /// Records pid, state, next runs and the last error for `newsletterctl status`.
    func writeHeartbeat(state: String, leading: Bool? = nil) {
        // On a shared database the row is the leader's: the schedule and the last scan are its.
        guard !store.isShared || (leading ?? isLeader) else {
            lastHeartbeat = now()
            return
        }
        let snapshot = status.withLock { $0 }
        let beat = DaemonHeartbeat(
            pid: getpid(), version: NewsletterVersion.current, startedAt: startedAt, heartbeatAt: now(), state: state,
            statusLine: snapshot.line, nextRuns: snapshot.nextRuns, lastError: snapshot.lastError?.message, lastErrorAt: snapshot.lastError?.at)
        do {
            try store.write { tx in try tx.writeHeartbeat(beat) }
            lastHeartbeat = beat.heartbeatAt
        } catch {
            logger.warning("cannot record the heartbeat", metadata: ["reason": "\(JobRunner.message(error))"])
        }
    }
}
