import Foundation
import NewsletterCore

/// The claim/commit bookkeeping of a ``DeliveryRunner``, as a value: what is claimed and not
/// begun, what is on the wire, what is sent and not yet recorded, and what the coordinator
/// thread should do next. The runner keeps it under its lock and does what it says; it holds
/// no threads, locks or clocks of its own, so every rule is tested by calling it.
///
/// The crash bound lives here: ``take(at:)`` hands out no message while `maxUncommitted`
/// results wait for (or are in) a commit, so after a SIGKILL at most the connections' messages
/// on the wire plus `maxUncommitted` recorded-as-nothing messages can be sent again.
///
/// Two clocks: the host's real clock for commit timing and claim renewal (``ClaimHold``), and
/// the store's clock (`now` in the runner, movable in tests) for when messages fall due.
package struct DeliveryCoordinator {
    package enum Phase: Equatable, Sendable {
        /// Claiming, handing out, committing.
        case sending
        /// New settings wait: the senders finish what is on the wire and begin nothing new;
        /// once none runs, the coordinator puts the settings in force and sending resumes.
        case changingSettings
        /// A stop was asked for: what is on the wire finishes and is committed, the rest is released.
        case stopping
        /// The store failed too often during a drain: the coordinator quits at once, and what
        /// is still `sending` is requeued at the next start.
        case failed
        /// The coordinator has quit; the senders leave as soon as nothing of theirs is on the wire.
        case finished
    }

    /// One write transaction for the coordinator to run.
    package struct Transaction: Equatable, Sendable {
        /// Results to record.
        package var records: [DeliveryRecord]
        /// Messages to claim; 0 claims none.
        package var claim: Int
        /// Renew every claim this runner holds (shared databases only).
        package var renew: Bool

        package init(records: [DeliveryRecord], claim: Int, renew: Bool) {
            self.records = records
            self.claim = claim
            self.renew = renew
        }
    }

    /// What the coordinator thread does next.
    package enum Step: Equatable, Sendable {
        case transact(Transaction)
        /// No sender runs: put the waiting settings in force, then call ``settingsAdopted(connections:ceiling:)``.
        case adoptSettings
        /// Nothing is due: find when the next message falls due (not counting this runner's
        /// own claims when `claimsNotOf` is set), sleep until then or the poll, then report
        /// with ``lookedForWork(nextDue:at:)``.
        case lookForWork(claimsNotOf: String?)
        /// Sleep until then (nil: until signalled), then ask again.
        case wait(until: Date?)
        /// Done: release these claimed, never-begun messages and let the senders go.
        case quit(unsent: [OutboxMessage])
    }

    package let draining: Bool
    /// Only this runner sends from the database (SQLite): its claims cannot be taken over.
    package let exclusive: Bool
    package let maxUncommitted: Int
    package let commitDelay: TimeInterval

    package private(set) var phase = Phase.sending
    package private(set) var hold: ClaimHold
    /// Messages claimed per transaction: the sizer's choice on a shared database.
    package private(set) var batch: Int
    private var sizer: ClaimSizer
    private var pending: [OutboxMessage] = []
    private var pendingHead = 0
    /// Handed to a sender and not yet finished (on the wire, or waiting for the rate limit).
    package private(set) var inFlight = 0
    /// Finished, waiting for a commit.
    package private(set) var results: [DeliveryRecord] = []
    private var firstResultAt: Date?
    /// Taken for the commit in progress: they count against `maxUncommitted` too.
    package private(set) var committing = 0
    /// Connections able to send.
    package private(set) var liveWorkers = 0
    /// The last claim came back short: nothing more is due until a wake-up or the next due time.
    package private(set) var claimExhausted = false
    /// A sender has asked for a claim since the last one.
    private var claimSignalled = false
    /// Hourly or daily limits are used up across the senders until then (store clock).
    package private(set) var claimPausedUntil: Date?

    package init(
        draining: Bool, exclusive: Bool, hold: ClaimHold, batch: Int, connections: Int, maxUncommitted: Int, commitDelay: TimeInterval
    ) {
        self.draining = draining
        self.exclusive = exclusive
        self.hold = hold
        self.maxUncommitted = max(1, maxUncommitted)
        self.commitDelay = commitDelay
        self.batch = max(1, batch)
        sizer = ClaimSizer(ceiling: batch, connections: connections)
    }

    package var pendingCount: Int { pending.count - pendingHead }

    /// Results that make a commit worth doing at once rather than after `commitDelay`.
    package var commitThreshold: Int { max(1, maxUncommitted / 2) }

    /// Whether this runner holds claimed rows: pending, on the wire, or sent and not yet recorded.
    package var holdsClaims: Bool { pendingCount > 0 || inFlight > 0 || !results.isEmpty || committing > 0 }

    /// The claims may have expired in another sender's eyes.
    package func claimsLapsed(at now: Date) -> Bool {
        !exclusive && holdsClaims && hold.lapsed(at: now)
    }

    // MARK: The coordinator's side

    /// Decides the coordinator's next step. `now` is the real clock.
    package mutating func nextStep(at now: Date) -> Step {
        if phase == .failed { return quit() }
        if phase == .changingSettings && liveWorkers == 0 { return .adoptSettings }
        let idle = pendingCount == 0 && inFlight == 0
        let resultsDue =
            !results.isEmpty
            && (results.count >= commitThreshold || idle || phase == .stopping || liveWorkers == 0
                || now.timeIntervalSince(firstResultAt ?? now) >= commitDelay)
        let claim = phase == .sending && !claimExhausted && liveWorkers > 0 && pendingCount < max(1, batch / 2)
        let renew = !exclusive && holdsClaims && hold.renewDue(at: now)
        if resultsDue || claim || renew {
            let records = results
            results = []
            committing = records.count
            firstResultAt = nil
            return .transact(Transaction(records: records, claim: claim ? batch : 0, renew: !exclusive && (claim || renew)))
        }
        // Stopping waits for the messages on the wire, so that their results are committed.
        if results.isEmpty && inFlight == 0 && (phase == .stopping || liveWorkers == 0 || (draining && claimExhausted && idle)) {
            return quit()
        }
        if !results.isEmpty { return .wait(until: (firstResultAt ?? now) + commitDelay) }
        if claimExhausted && idle && !draining && phase == .sending { return .lookForWork(claimsNotOf: exclusive ? nil : hold.owner) }
        if !exclusive && holdsClaims { return .wait(until: hold.nextRenewal) }
        return .wait(until: nil)
    }

    private mutating func quit() -> Step {
        phase = .finished
        let unsent = Array(pending[pendingHead...])
        pending = []
        pendingHead = 0
        return .quit(unsent: unsent)
    }

    /// The transaction committed: it began at `started` and ended at `finished` (real clock).
    /// `claimed` and `cancelled` are what its claim took; `renewed`, whether it renewed every
    /// claim; `pausedUntil`, when the hourly or daily limits next leave room, if they are used up.
    package mutating func committed(
        _ transaction: Transaction, claimed: [OutboxMessage], cancelled: Int, renewed: Bool, pausedUntil: Date?, started: Date,
        finished: Date
    ) {
        committing = 0
        if renewed { hold.renewed(started: started, finished: finished) }
        if !exclusive && !transaction.records.isEmpty {
            sizer.record(transaction.records.count, at: finished)
            batch = sizer.batch
        }
        pending.removeFirst(pendingHead)
        pendingHead = 0
        pending += claimed
        guard transaction.claim > 0 else { return }
        claimPausedUntil = pausedUntil
        claimSignalled = false
        // Judged against what was asked for: the batch may have changed with the rate above.
        if claimed.count + cancelled < transaction.claim || pausedUntil != nil { claimExhausted = true }
    }

    /// The transaction failed (the `failures`-th in a row): its results wait for the next one.
    /// A drain gives up after five; returns true when it did.
    package mutating func transactionFailed(_ transaction: Transaction, failures: Int, at now: Date) -> Bool {
        committing = 0
        results = transaction.records + results
        if firstResultAt == nil && !results.isEmpty { firstResultAt = now }
        guard draining && failures >= 5 else { return false }
        phase = .failed
        return true
    }

    /// After a lapse, the claimed messages not begun are left for whichever sender puts them
    /// back, and this runner claims afresh under `newOwner`. Returns how many it left.
    package mutating func abandonClaims(newOwner: String, at now: Date) -> Int {
        let dropped = pendingCount
        pending = []
        pendingHead = 0
        hold.abandon(newOwner: newOwner, at: now)
        return dropped
    }

    /// Someone queued messages: look again, unless the hourly or daily limits are used up.
    /// `now` is the store's clock.
    package mutating func wake(at now: Date) {
        if (claimPausedUntil ?? .distantPast) <= now { claimExhausted = false }
    }

    /// After ``Step/lookForWork(claimsNotOf:)``: claim again when something is due by `now` (store clock).
    package mutating func lookedForWork(nextDue: Date?, at now: Date) {
        if let nextDue, max(nextDue, claimPausedUntil ?? .distantPast) <= now { claimExhausted = false }
    }

    /// New settings are waiting; nothing new is begun until ``settingsAdopted(connections:ceiling:)``.
    package mutating func settingsWaiting() {
        if phase == .sending { phase = .changingSettings }
    }

    /// The waiting settings are in force: `connections` senders start, claiming up to `ceiling`.
    package mutating func settingsAdopted(connections: Int, ceiling: Int) {
        if phase == .changingSettings { phase = .sending }
        batch = max(1, ceiling)
        sizer = ClaimSizer(ceiling: ceiling, connections: connections)
    }

    package mutating func stop() {
        if phase == .sending || phase == .changingSettings { phase = .stopping }
    }

    // MARK: The senders' side

    package mutating func sendersStarted(_ connections: Int) {
        liveWorkers += connections
    }

    /// Connections that will send no more (retired, or their thread ended).
    package mutating func sendersLeft(_ connections: Int) {
        liveWorkers -= connections
    }

    /// The next message for a free connection, or nil: not sending, claims lapsed, nothing
    /// claimed, or `maxUncommitted` results already wait for their commit.
    package mutating func take(at now: Date) -> (message: OutboxMessage, epoch: Int)? {
        guard phase == .sending, !claimsLapsed(at: now), pendingCount > 0, results.count + committing < maxUncommitted else { return nil }
        let message = pending[pendingHead]
        pendingHead += 1
        inFlight += 1
        return (message, hold.epoch)
    }

    /// Whether a message taken in `epoch` and held for the rate limit may begin now.
    package func mayBegin(epoch: Int, at now: Date) -> Bool {
        phase == .sending && epoch == hold.epoch && !claimsLapsed(at: now)
    }

    /// A message taken and not begun: back to the front of the queue when it was claimed under
    /// the current hold; after a lapse it is dropped, since another sender may have it now.
    package mutating func putBack(_ message: OutboxMessage, epoch: Int) {
        if epoch == hold.epoch { pending.insert(message, at: pendingHead) }
        inFlight -= 1
    }

    /// Messages taken and then refused at the last look (cancelled, never sent).
    package mutating func refused(_ count: Int) {
        inFlight -= count
    }

    /// Sends finished with these results at `now` (real clock). Returns whether the
    /// coordinator has something to do: start its commit timer, commit a full batch, claim
    /// more, or finish. (A wake-up per message would cost a context switch per message.)
    package mutating func finished(_ records: [DeliveryRecord], at now: Date) -> Bool {
        let first = results.isEmpty && !records.isEmpty
        if first { firstResultAt = now }
        results += records
        inFlight -= records.count
        let wantsClaim = phase == .sending && !claimExhausted && !claimSignalled && pendingCount < batch / 2
        if wantsClaim { claimSignalled = true }
        return first || wantsClaim || results.count >= commitThreshold || (inFlight == 0 && pendingCount == 0)
    }
}
