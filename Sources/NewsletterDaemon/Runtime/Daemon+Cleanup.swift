import Foundation
import NewsletterCore
import NewsletterDelivery

/// The leader's hourly cleanup: sign-ups nobody confirmed are deleted after
/// `subscribers.pending_expiry` (they hold the address of someone who may never have asked
/// to join), and the bodies of messages sent more than `delivery.keep_sent_days` ago are pruned.
extension Daemon {
    static let cleanupInterval: TimeInterval = 3600

    /// Called by housekeeping; the work itself runs on the job queue, with the settings in force.
    func cleanUpIfDue(at wall: Date) {
        guard wall.timeIntervalSince(lastCleanup) >= Self.cleanupInterval || wall < lastCleanup else { return }
        lastCleanup = wall
        jobs.async {
            self.purgeUnconfirmed()
            self.pruneSentMessages()
        }
    }

    func pruneSentMessages() {
        SentMessagePruner(store: store, keepSentDays: setup.settings.delivery.keepSentDays, logger: logger, now: now).prune()
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
