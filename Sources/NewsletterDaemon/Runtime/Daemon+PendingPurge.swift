import Foundation
import NewsletterCore

/// Sign-ups nobody confirmed are deleted after `subscribers.pending_expiry`: they hold the
/// address of someone who may never have asked to join.
extension Daemon {
    static let pendingPurgeInterval: TimeInterval = 3600

    /// Called by housekeeping; the purge itself runs on the job queue, with the settings in force.
    func purgeUnconfirmedIfDue(at wall: Date) {
        guard wall.timeIntervalSince(lastPendingPurge) >= Self.pendingPurgeInterval || wall < lastPendingPurge else { return }
        lastPendingPurge = wall
        jobs.async { self.purgeUnconfirmed() }
    }

    func purgeUnconfirmed() {
        let directory = SubscriberDirectory(store: store, actor: "daemon", now: now)
        do {
            var total = 0
            while true {
                let purged = try directory.purgeUnconfirmed(expiry: setup.settings.subscribers.pendingExpiry)
                total += purged
                if purged < 1000 { break }
            }
            if total > 0 {
                logger.info("purged sign-ups never confirmed", metadata: ["count": "\(total)"])
            }
        } catch {
            logger.warning("cannot purge sign-ups never confirmed", metadata: ["reason": "\(JobRunner.message(error))"])
        }
    }
}
