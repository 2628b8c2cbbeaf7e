import Foundation

/// A sender's hold on the outbox rows it claimed on a database shared with other senders,
/// and the rule that keeps the in-flight bound when it loses the database: claims it could
/// not renew are not begun, because another sender may have taken them over.
///
/// Rows carry `claim_expires_at` = the store's time + `lease`, renewed every third of the
/// lease. A claim is treated as lapsed two thirds of the lease after the last renewal that
/// committed promptly, leaving a third of the lease for clock differences between hosts and
/// for the message on the wire to finish. All times here are the real clock of this host.
package struct ClaimHold {
    package let lease: TimeInterval
    /// The name the rows carry; a new one after a lapse, so the old rows are anyone's.
    package private(set) var owner: String
    /// Counts lapses: work handed out under an earlier epoch is not begun.
    package private(set) var epoch = 0
    /// When the last renewal of every claim began, having committed promptly.
    package private(set) var confirmedAt: Date

    package init(lease: TimeInterval, owner: String, at now: Date) {
        self.lease = lease
        self.owner = owner
        confirmedAt = now
    }

    package var renewInterval: TimeInterval { lease / 3 }

    package var nextRenewal: Date { confirmedAt + renewInterval }

    package func renewDue(at now: Date) -> Bool { now >= nextRenewal }

    /// The claims may have expired in another sender's eyes.
    package func lapsed(at now: Date) -> Bool { now > confirmedAt + lease - renewInterval }

    /// A transaction that renewed every claim began at `started` and committed at `finished`.
    /// One that took a renewal interval or more may have committed after another sender saw
    /// the claims expire and put them back: it confirms nothing.
    package mutating func renewed(started: Date, finished: Date) {
        guard finished < started + renewInterval else { return }
        confirmedAt = max(confirmedAt, started)
    }

    /// Gives up the lapsed claims: new rows are claimed under `newOwner`.
    package mutating func abandon(newOwner: String, at now: Date) {
        owner = newOwner
        epoch += 1
        confirmedAt = now
    }
}
