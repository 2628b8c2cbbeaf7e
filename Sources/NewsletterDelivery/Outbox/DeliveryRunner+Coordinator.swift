import Foundation
import NewsletterCore

/// The coordinator thread: does what ``DeliveryCoordinator`` decides (claims, commits,
/// renewals, sleeping, putting new settings in force), outside the lock for anything that
/// touches the database.
extension DeliveryRunner {
    /// Claims and commits until the work is done (drain) or the runner is stopped.
    /// `dueBy` is the drain's start; nil means "now" each time (continuous).
    func coordinate(dueBy: (() -> Date)?) {
        let draining = dueBy != nil
        var failures = 0
        while true {
            condition.lock()
            var step: DeliveryCoordinator.Step
            while true {
                if wedgeRequested {
                    condition.unlock()
                    while true { sleep(3600) }
                }
                if !probeAnswers.isEmpty {
                    probeAnswers.forEach { $0() }
                    probeAnswers = []
                }
                if wakeRequested {
                    wakeRequested = false
                    coordinator.wake(at: now())
                }
                if coordinator.claimsLapsed(at: Date()) {
                    let dropped = coordinator.abandonClaims(newOwner: Self.newOwner(), at: Date())
                    logger.warning(
                        "could not renew this sender's claims on the database in time; leaving the messages it had not begun to another sender",
                        metadata: ["messages": "\(dropped)", "lease_seconds": "\(Int(options.claimLease))"])
                }
                step = coordinator.nextStep(at: Date())
                switch step {
                case .wait(let until):
                    if let until { _ = condition.wait(until: until) } else { condition.wait() }
                    continue
                case .lookForWork(let others):
                    lookForWork(claimsNotOf: others)
                    continue
                case .transact, .adoptSettings, .quit:
                    break
                }
                break
            }
            switch step {
            case .adoptSettings:
                let prepared = nextPrepared
                nextPrepared = nil
                condition.unlock()
                if let prepared {
                    adoptPrepared(prepared, draining: draining)
                } else {
                    condition.lock()
                    coordinator.settingsAdopted(connections: profile.connections, ceiling: claimCeiling(profile))
                    condition.unlock()
                }
            case .quit(let unsent):
                signalAll()
                let unused = nextPrepared
                nextPrepared = nil
                condition.unlock()
                unused?.discard()
                release(unsent)
                return
            case .transact(let transaction):
                condition.unlock()
                commit(transaction, dueBy: dueBy?() ?? now(), failures: &failures)
            case .wait, .lookForWork:
                condition.unlock()
            }
        }
    }

    /// Idle: sleeps until the next message falls due (a deferred one's retry, or another
    /// sender's claim expiring), the poll, a wake-up or a stop, then sees whether anything
    /// fell due. Called and returns with `condition` locked; reads the store unlocked.
    private func lookForWork(claimsNotOf others: String?) {
        let paused = coordinator.claimPausedUntil ?? .distantPast
        condition.unlock()
        let nextDue = ((try? store.read { tx in try tx.nextDueTime(claimsNotOf: others) }) ?? nil).map { max($0, paused) }
        condition.lock()
        let wakeAt = min(Date() + options.pollInterval, nextDue.map { Date() + max(0, $0.timeIntervalSince(now())) } ?? .distantFuture)
        if coordinator.phase == .sending && !wakeRequested { _ = condition.wait(until: wakeAt) }
        guard coordinator.phase == .sending && !wakeRequested else { return }
        condition.unlock()
        let due = (try? store.read { tx in try tx.nextDueTime(claimsNotOf: others) }) ?? nil
        condition.lock()
        coordinator.lookedForWork(nextDue: due, at: now())
    }

    /// Runs one transaction and tells the coordinator how it went.
    private func commit(_ transaction: DeliveryCoordinator.Transaction, dueBy due: Date, failures: inout Int) {
        let started = Date()
        do {
            let outcome = try self.transaction(transaction, dueBy: due)
            failures = 0
            condition.lock()
            coordinator.committed(
                transaction, claimed: outcome.claimed.messages, cancelled: outcome.claimed.cancelled, renewed: outcome.renewed,
                pausedUntil: outcome.pausedUntil, started: started, finished: Date())
            if let senders = outcome.senders { limiter?.sharePerSecond(among: senders) }
            totals.add(outcome.states, bounced: outcome.bounced, cancelled: outcome.claimed.cancelled)
            signalAll()
            condition.unlock()
        } catch {
            failures += 1
            logger.error("could not update the outbox; trying again", metadata: ["error": "\(error)", "failures": "\(failures)"])
            condition.lock()
            if coordinator.transactionFailed(transaction, failures: failures, at: Date()) {
                // Give up: stop the senders and report the error; what is still `sending`
                // is requeued at the next start.
                storeFailure = error
                signalAll()
            } else {
                _ = condition.wait(until: Date() + min(Double(failures), 10))
            }
            condition.unlock()
        }
    }

    struct TransactionOutcome {
        var states: [Int64: DeliveryState] = [:]
        var bounced = 0
        var claimed = ClaimedMessages(messages: [], cancelled: 0)
        /// The claims named in the transaction were renewed.
        var renewed = false
        /// Hourly or daily limits are used up until then.
        var pausedUntil: Date?
        /// How many daemons share the per-second limit, when it was counted.
        var senders: Int?
    }

    /// One write transaction: record results (and any bounces they cause), then claim the
    /// next batch and renew this runner's claims (only on a shared database: on SQLite no
    /// other sender can take them).
    /// On a shared database, the claim first puts back rows whose claims expired; the
    /// hourly and daily limits are counted across every sender.
    private func transaction(_ transaction: DeliveryCoordinator.Transaction, dueBy: Date) throws -> TransactionOutcome {
        let records = transaction.records
        let time = now()
        let expiry = time - retry.maxAge
        condition.lock()
        let lease = ClaimLease(owner: coordinator.hold.owner, expiresAt: time + options.claimLease)
        let shared = !coordinator.exclusive
        condition.unlock()
        let limits = self.limits
        // Claims stay within what the hourly and daily limits leave, so a claimed message is
        // never held for the window to free: `newsletterd --once` sends what they allow, and
        // the rest waits in the queue.
        let budgeted = transaction.claim > 0 && (limits.perHour > 0 || limits.perDay > 0)
        let work = { (tx: StoreTransaction) throws -> TransactionOutcome in
            var outcome = TransactionOutcome()
            if !records.isEmpty {
                outcome.states = try tx.recordDeliveries(records, expireBefore: expiry, at: time)
                for record in records where record.result == .failed && outcome.states[record.messageID] == .failed {
                    guard let subscriber = record.subscriberID, let code = record.code, (500...599).contains(code) else { continue }
                    if try BounceRule.apply(
                        subscriberID: subscriber, limit: self.bounceLimit, lastReply: record.text, actor: self.options.actor, at: time, in: tx)
                    {
                        outcome.bounced += 1
                        self.logger.notice("subscriber marked bounced", metadata: ["subscriber_id": "\(subscriber)", "limit": "\(self.bounceLimit)"])
                    }
                }
            }
            var limit = transaction.claim
            if limit > 0 && shared {
                let requeued = try tx.requeueExpiredClaims(at: time, exceptOwner: lease.owner)
                if requeued > 0 {
                    self.logger.notice("put back messages whose sender's claim expired", metadata: ["count": "\(requeued)"])
                }
                if limits.perSecond > 0 { outcome.senders = max(1, try tx.liveDaemonCount(since: time - 90)) }
            }
            if budgeted {
                let budget = try tx.sendingBudget(perHour: limits.perHour, perDay: limits.perDay, at: time)
                limit = min(limit, budget.remaining)
                outcome.pausedUntil = budget.freesAt
            }
            if limit > 0 { outcome.claimed = try tx.claimDueMessages(limit: limit, dueBy: dueBy, lease: lease, at: time) }
            if transaction.renew {
                try tx.renewClaims(lease)
                outcome.renewed = true
            }
            return outcome
        }
        // Bounces change subscribers, and the limits count every sender's claims: those take
        // the store-wide write lock; the rest lock only their outbox rows.
        let bounces = records.contains { $0.result == .failed && $0.subscriberID != nil && (500...599).contains($0.code ?? 0) }
        return bounces || budgeted ? try store.write(work) : try store.writeRows(work)
    }

    /// Claimed messages that were never sent go back to where they were.
    private func release(_ messages: [OutboxMessage]) {
        guard !messages.isEmpty else { return }
        let ids = messages.map(\.id)
        condition.lock()
        let owner = coordinator.hold.owner
        condition.unlock()
        do {
            try store.writeRows { tx in try tx.releaseClaimedMessages(ids: ids, owner: owner, at: now()) }
        } catch {
            logger.error(
                "could not return unsent messages to the queue; the next start will", metadata: ["count": "\(ids.count)", "error": "\(error)"])
        }
    }
}
