import Foundation
import NewsletterCore

/// Several newsletterd may share one PostgreSQL database. One of them leads: it watches the
/// content and runs the schedule (digests, blog notifications, purging sign-ups nobody
/// confirmed). Every daemon serves the pages and sends; the others stand by to lead:
/// housekeeping tries for the lead every few seconds, so when the leader stops or dies (the
/// server drops its lock with its connection) another takes over within seconds and catches
/// up what was missed. With SQLite there is one daemon, and it leads.
extension Daemon {
    var isLeader: Bool { leadership.withLock { $0 != nil } }

    /// Takes the lead if it is free; on `jobs`. Returns whether this daemon leads now.
    @discardableResult
    func tryToLead() throws -> Bool {
        if isLeader { return true }
        guard let lock = try store.tryLeadership() else { return false }
        leadership.withLock { $0 = lock }
        if store.isShared { logger.notice("this newsletterd leads: it watches the content and runs the schedule") }
        do {
            try startWatcher()
            catchUp()
            scheduleDigests()
            evaluateBlog()
        } catch {
            stepDown()
            throw error
        }
        recordInstance()
        return true
    }

    /// Stops leading; on `jobs`.
    func stepDown() {
        digestTimers.values.forEach { $0.cancel() }
        digestTimers = [:]
        nextFires = [:]
        blogTimer?.cancel()
        blogTimer = nil
        retryTimer?.cancel()
        retryTimer = nil
        watcher?.stop()
        watcher = nil
        let lock = leadership.withLock { held -> (any StoreLock)? in
            defer { held = nil }
            return held
        }
        lock?.release()
    }

    /// From housekeeping: a follower tries for the lead; a leader that lost its lock (its
    /// connection to the server dropped) steps down, and tries again like any follower.
    func checkLeadership() {
        let lost = leadership.withLock { $0.map { !$0.isHeld } ?? false }
        jobs.async { [self] in
            defer { leadershipCheckPending.withLock { $0 = false } }
            if lost {
                logger.warning("this newsletterd lost the lead (its connection to the database dropped); another may lead now")
                stepDown()
            }
            do {
                try tryToLead()
            } catch {
                logger.error("cannot take the lead", metadata: ["reason": "\(JobRunner.message(error))"])
            }
        }
    }

    /// This daemon as `newsletterctl status` lists it.
    func recordInstance(role: String? = nil) {
        let instance = DaemonInstance(
            id: instanceID, host: ProcessInfo.processInfo.hostName, pid: Int(getpid()), version: NewsletterVersion.current,
            role: role ?? (isLeader ? DaemonInstance.leader : DaemonInstance.follower), startedAt: startedAt, heartbeatAt: now())
        do {
            try store.write { tx in
                try tx.recordDaemonInstance(instance)
                if instance.role == DaemonInstance.leader { try tx.markOtherLeadersGone(except: instance.id) }
                // Daemons stopped or gone for a day are forgotten.
                try tx.pruneDaemonInstances(before: instance.heartbeatAt.addingTimeInterval(-86400))
            }
        } catch {
            logger.warning("cannot record this daemon for newsletterctl status", metadata: ["reason": "\(JobRunner.message(error))"])
        }
    }
}
