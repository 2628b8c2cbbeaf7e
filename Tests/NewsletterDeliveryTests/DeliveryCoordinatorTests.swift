import Foundation
import Testing

@testable import NewsletterCore
import NewsletterDelivery

/// The runner's claim/commit bookkeeping, a value: every rule of its crash bound, stopping,
/// lapsed claims, reloads and limits, by calling it. No threads, clocks or database.
@Suite("The delivery coordinator")
struct DeliveryCoordinatorTests {
    let t0 = Date(timeIntervalSinceReferenceDate: 1_000_000)

    func coordinator(
        draining: Bool = true, shared: Bool = false, batch: Int = 10, connections: Int = 2, maxUncommitted: Int = 4, commitDelay: TimeInterval = 0.02
    ) -> DeliveryCoordinator {
        var coordinator = DeliveryCoordinator(
            draining: draining, exclusive: !shared, hold: ClaimHold(lease: 30, owner: "me", at: t0), batch: batch, connections: connections,
            maxUncommitted: maxUncommitted, commitDelay: commitDelay)
        coordinator.sendersStarted(connections)
        return coordinator
    }

    func messages(_ ids: ClosedRange<Int64>) -> [OutboxMessage] {
        ids.map { id in
            OutboxMessage(
                id: id, kind: .digest, subscriberID: id, envelopeFrom: "news@example.org", envelopeTo: "carer\(id)@example.org",
                messageID: "m\(id)@example.org", content: .complete(Data()), state: .sending, attempts: 0, nextAttemptAt: t0, lastCode: nil,
                lastText: nil, createdAt: t0, updatedAt: t0, sentAt: nil)
        }
    }

    func sent(_ message: OutboxMessage) -> DeliveryRecord {
        DeliveryRecord(messageID: message.id, subscriberID: message.subscriberID, result: .sent, code: 250, text: "ok")
    }

    /// The transaction of a `.transact` step, or a failed expectation.
    func transaction(_ step: DeliveryCoordinator.Step, sourceLocation: SourceLocation = #_sourceLocation) -> DeliveryCoordinator.Transaction? {
        guard case .transact(let transaction) = step else {
            Issue.record("expected a transaction, got \(step)", sourceLocation: sourceLocation)
            return nil
        }
        return transaction
    }

    @Test("a drain claims, waits the commit delay for a lone result, and ends once a short claim's messages are all recorded")
    func drainLifecycle() throws {
        var c = coordinator()
        let step1 = c.nextStep(at: t0)
        let first = try #require(transaction(step1))
        #expect(first == .init(records: [], claim: 10, renew: false))
        let claimed = messages(1...3)
        c.committed(first, claimed: claimed, cancelled: 0, renewed: false, pausedUntil: nil, started: t0, finished: t0)
        #expect(c.claimExhausted, "3 of 10 asked for: nothing more is due")

        let taken1 = c.take(at: t0)
        let one = try #require(taken1)
        let taken2 = c.take(at: t0)
        let two = try #require(taken2)
        #expect([one.message, two.message] == Array(claimed[0...1]))
        let step2 = c.nextStep(at: t0)
        #expect(step2 == .wait(until: nil))
        let wake1 = c.finished([sent(one.message)], at: t0)
        #expect(wake1, "the first result starts the commit timer")
        let step3 = c.nextStep(at: t0 + 0.01)
        #expect(step3 == .wait(until: t0 + 0.02))
        let step4 = c.nextStep(at: t0 + 0.02)
        let second = try #require(transaction(step4))
        #expect(second == .init(records: [sent(one.message)], claim: 0, renew: false))
        c.committed(second, claimed: [], cancelled: 0, renewed: false, pausedUntil: nil, started: t0, finished: t0)

        let taken3 = c.take(at: t0)
        let three = try #require(taken3)
        _ = c.finished([sent(two.message), sent(three.message)], at: t0)
        let taken4 = c.take(at: t0)
        #expect(taken4 == nil)
        let step5 = c.nextStep(at: t0)
        let last = try #require(transaction(step5))
        #expect(last.records.count == 2)
        c.committed(last, claimed: [], cancelled: 0, renewed: false, pausedUntil: nil, started: t0, finished: t0)
        let step6 = c.nextStep(at: t0)
        #expect(step6 == .quit(unsent: []))
        #expect(c.phase == .finished)
    }

    @Test("no message is handed out while maxUncommitted results wait for or are in a commit")
    func uncommittedBound() throws {
        var c = coordinator(connections: 4, maxUncommitted: 2)
        let step7 = c.nextStep(at: t0)
        let claim = try #require(transaction(step7))
        c.committed(claim, claimed: messages(1...10), cancelled: 0, renewed: false, pausedUntil: nil, started: t0, finished: t0)
        let taken5 = c.take(at: t0)
        let a = try #require(taken5)
        let taken6 = c.take(at: t0)
        let b = try #require(taken6)
        _ = c.finished([sent(a.message), sent(b.message)], at: t0)
        let taken7 = c.take(at: t0)
        #expect(taken7 == nil, "two results wait")
        let step8 = c.nextStep(at: t0)
        let commit = try #require(transaction(step8))
        #expect(commit.records.count == 2)
        let taken8 = c.take(at: t0)
        #expect(taken8 == nil, "two results are being committed")
        c.committed(commit, claimed: [], cancelled: 0, renewed: false, pausedUntil: nil, started: t0, finished: t0)
        let taken9 = c.take(at: t0)
        #expect(taken9 != nil)
    }

    @Test("whatever the order of events, what is sent or on the wire and not recorded stays within connections + maxUncommitted")
    func crashBoundHolds() throws {
        var random = SeededRandom(seed: 7)
        for round in 0..<50 {
            let connections = Int.random(in: 1...6, using: &random)
            let maxUncommitted = Int.random(in: 1...8, using: &random)
            var c = coordinator(connections: connections, maxUncommitted: maxUncommitted)
            var wire: [OutboxMessage] = []
            var inCommit: DeliveryCoordinator.Transaction?
            var nextID: Int64 = 1
            for _ in 0..<400 {
                switch Int.random(in: 0..<4, using: &random) {
                case 0 where wire.count < connections:
                    if let taken = c.take(at: t0) { wire.append(taken.message) }
                case 1 where !wire.isEmpty:
                    let done = wire.removeFirst()
                    _ = c.finished([sent(done)], at: t0)
                case 2 where inCommit == nil:
                    if case .transact(let transaction) = c.nextStep(at: t0 + 1) { inCommit = transaction }
                case 3:
                    if let transaction = inCommit {
                        let claimed = transaction.claim > 0 ? messages(nextID...(nextID + Int64(transaction.claim) - 1)) : []
                        nextID += Int64(claimed.count)
                        c.committed(transaction, claimed: claimed, cancelled: 0, renewed: false, pausedUntil: nil, started: t0, finished: t0)
                        inCommit = nil
                    }
                default: break
                }
                let unrecorded = wire.count + c.results.count + c.committing
                #expect(unrecorded <= connections + maxUncommitted, "round \(round): \(unrecorded) unrecorded")
                #expect(c.inFlight == wire.count)
            }
        }
    }

    @Test("a stop begins nothing new, waits for the wire, commits it, and releases what was never begun")
    func stopping() throws {
        var c = coordinator(draining: false)
        let step9 = c.nextStep(at: t0)
        let claim = try #require(transaction(step9))
        let claimed = messages(1...5)
        c.committed(claim, claimed: claimed, cancelled: 0, renewed: false, pausedUntil: nil, started: t0, finished: t0)
        let taken10 = c.take(at: t0)
        let a = try #require(taken10)
        let taken11 = c.take(at: t0)
        let b = try #require(taken11)
        c.stop()
        let taken12 = c.take(at: t0)
        #expect(taken12 == nil)
        let step10 = c.nextStep(at: t0)
        #expect(step10 == .wait(until: nil), "two messages are on the wire")
        _ = c.finished([sent(a.message), sent(b.message)], at: t0)
        let step11 = c.nextStep(at: t0)
        let commit = try #require(transaction(step11))
        #expect(commit == .init(records: [sent(a.message), sent(b.message)], claim: 0, renew: false))
        c.committed(commit, claimed: [], cancelled: 0, renewed: false, pausedUntil: nil, started: t0, finished: t0)
        let step12 = c.nextStep(at: t0)
        #expect(step12 == .quit(unsent: Array(claimed[2...])))
    }

    @Test("a rate-limited message put back before it began is handed out first")
    func putBack() throws {
        var c = coordinator()
        let step13 = c.nextStep(at: t0)
        let claim = try #require(transaction(step13))
        c.committed(claim, claimed: messages(1...3), cancelled: 0, renewed: false, pausedUntil: nil, started: t0, finished: t0)
        let taken13 = c.take(at: t0)
        let a = try #require(taken13)
        #expect(c.mayBegin(epoch: a.epoch, at: t0))
        c.putBack(a.message, epoch: a.epoch)
        #expect(c.inFlight == 0)
        let taken14 = c.take(at: t0)
        #expect(taken14?.message == a.message)
    }

    @Test("on a shared database claims are renewed every third of the lease, with or without a claim; on SQLite never")
    func renewals() throws {
        var c = coordinator(shared: true)
        let step14 = c.nextStep(at: t0)
        let claim = try #require(transaction(step14))
        #expect(claim.renew, "a claim renews what is held")
        c.committed(claim, claimed: messages(1...8), cancelled: 0, renewed: true, pausedUntil: nil, started: t0 + 1, finished: t0 + 1.2)
        let step15 = c.nextStep(at: t0 + 5)
        #expect(step15 == .wait(until: t0 + 11))
        let step16 = c.nextStep(at: t0 + 11)
        let renewal = try #require(transaction(step16))
        #expect(renewal == .init(records: [], claim: 0, renew: true))

        var sqlite = coordinator(shared: false)
        let step17 = sqlite.nextStep(at: t0)
        let only = try #require(transaction(step17))
        #expect(!only.renew)
        sqlite.committed(only, claimed: messages(1...8), cancelled: 0, renewed: false, pausedUntil: nil, started: t0, finished: t0)
        let step18 = sqlite.nextStep(at: t0 + 3600)
        #expect(step18 == .wait(until: nil))
        #expect(!sqlite.claimsLapsed(at: t0 + 3600))
    }

    @Test("claims not renewed for two thirds of the lease are given up: nothing claimed before is begun")
    func lapse() throws {
        var c = coordinator(shared: true)
        let step19 = c.nextStep(at: t0)
        let claim = try #require(transaction(step19))
        c.committed(claim, claimed: messages(1...10), cancelled: 0, renewed: true, pausedUntil: nil, started: t0, finished: t0)
        let taken15 = c.take(at: t0 + 1)
        let held = try #require(taken15)
        #expect(!c.claimsLapsed(at: t0 + 20))
        #expect(c.claimsLapsed(at: t0 + 20.5))
        let taken16 = c.take(at: t0 + 20.5)
        #expect(taken16 == nil)
        let dropped1 = c.abandonClaims(newOwner: "me-again", at: t0 + 20.5)
        #expect(dropped1 == 9)
        #expect(c.hold.owner == "me-again")
        #expect(!c.mayBegin(epoch: held.epoch, at: t0 + 20.5))
        c.putBack(held.message, epoch: held.epoch)
        #expect(c.pendingCount == 0 && c.inFlight == 0, "another sender may have taken it over")
        let step20 = c.nextStep(at: t0 + 20.5)
        let fresh = try #require(transaction(step20))
        #expect(fresh.claim == 10, "claims afresh under the new name")
    }

    @Test("a failed commit keeps its results ahead of newer ones; a drain gives up after five failures in a row")
    func failedCommits() throws {
        var c = coordinator(commitDelay: 0)
        let step21 = c.nextStep(at: t0)
        let claim = try #require(transaction(step21))
        let claimed = messages(1...3)
        c.committed(claim, claimed: claimed, cancelled: 0, renewed: false, pausedUntil: nil, started: t0, finished: t0)
        let taken17 = c.take(at: t0)
        let a = try #require(taken17)
        let taken18 = c.take(at: t0)
        let b = try #require(taken18)
        _ = c.finished([sent(a.message)], at: t0)
        let step22 = c.nextStep(at: t0)
        let commit = try #require(transaction(step22))
        let gaveUp1 = c.transactionFailed(commit, failures: 1, at: t0)
        #expect(!gaveUp1)
        _ = c.finished([sent(b.message)], at: t0)
        #expect(c.results == [sent(a.message), sent(b.message)])
        for failures in 2...4 {
            let step23 = c.nextStep(at: t0)
            let retry = try #require(transaction(step23))
            let gaveUp2 = c.transactionFailed(retry, failures: failures, at: t0)
            #expect(!gaveUp2)
        }
        let step24 = c.nextStep(at: t0)
        let fifth = try #require(transaction(step24))
        let gaveUp3 = c.transactionFailed(fifth, failures: 5, at: t0)
        #expect(gaveUp3)
        #expect(c.phase == .failed)
        let step25 = c.nextStep(at: t0)
        #expect(step25 == .quit(unsent: [claimed[2]]), "what was sent stays `sending`, for the next start to requeue")

        var continuous = coordinator(draining: false, commitDelay: 0)
        let step26 = continuous.nextStep(at: t0)
        let again = try #require(transaction(step26))
        let gaveUp4 = continuous.transactionFailed(again, failures: 50, at: t0)
        #expect(!gaveUp4, "a long-running sender keeps trying")
    }

    @Test("new settings wait until no sender runs; nothing is begun meanwhile, and a stop still wins")
    func settingsChange() throws {
        var c = coordinator(draining: false, connections: 2)
        let step27 = c.nextStep(at: t0)
        let claim = try #require(transaction(step27))
        c.committed(claim, claimed: messages(1...6), cancelled: 0, renewed: false, pausedUntil: nil, started: t0, finished: t0)
        c.settingsWaiting()
        #expect(c.phase == .changingSettings)
        let taken19 = c.take(at: t0)
        #expect(taken19 == nil)
        let step28 = c.nextStep(at: t0)
        #expect(step28 == .wait(until: nil))
        c.sendersLeft(2)
        let step29 = c.nextStep(at: t0)
        #expect(step29 == .adoptSettings)
        c.settingsAdopted(connections: 8, ceiling: 200)
        #expect(c.phase == .sending && c.batch == 200)
        c.sendersStarted(8)
        let taken20 = c.take(at: t0)
        #expect(taken20 != nil, "the claimed messages are kept for the new senders")

        c.settingsWaiting()
        c.stop()
        #expect(c.phase == .stopping)
        c.settingsAdopted(connections: 1, ceiling: 1)
        #expect(c.phase == .stopping)
    }

    @Test("used-up hourly or daily limits pause claims until they free, even when woken")
    func budgetPause() throws {
        var c = coordinator(draining: false)
        let step30 = c.nextStep(at: t0)
        let claim = try #require(transaction(step30))
        c.committed(claim, claimed: messages(1...2), cancelled: 0, renewed: false, pausedUntil: t0 + 3600, started: t0, finished: t0)
        #expect(c.claimExhausted)
        for _ in 0..<2 {
            let taken21 = c.take(at: t0)
            let taken = try #require(taken21)
            _ = c.finished([sent(taken.message)], at: t0)
        }
        let step31 = c.nextStep(at: t0)
        let commit = try #require(transaction(step31))
        #expect(commit.claim == 0)
        c.committed(commit, claimed: [], cancelled: 0, renewed: false, pausedUntil: nil, started: t0, finished: t0)
        let step32 = c.nextStep(at: t0)
        #expect(step32 == .lookForWork(claimsNotOf: nil))
        c.wake(at: t0 + 10)
        c.lookedForWork(nextDue: t0, at: t0 + 10)
        #expect(c.claimExhausted)
        c.lookedForWork(nextDue: t0, at: t0 + 3600)
        #expect(!c.claimExhausted)
        let step33 = c.nextStep(at: t0)
        #expect(try transaction(step33)?.claim == 10)
    }

    @Test("a claim is judged short against what it asked for, not the batch the sending rate has set since")
    func shortClaim() throws {
        var c = coordinator(draining: false, shared: true, batch: 100, connections: 1, maxUncommitted: 1000, commitDelay: 0)
        let step34 = c.nextStep(at: t0)
        let first = try #require(transaction(step34))
        c.committed(first, claimed: messages(1...100), cancelled: 0, renewed: true, pausedUntil: nil, started: t0, finished: t0)
        var taken: [OutboxMessage] = []
        for _ in 0..<5 {
            let next = c.take(at: t0)
            taken.append(try #require(next).message)
        }
        // Two results a second: the batch shrinks to the floor of two per connection.
        _ = c.finished([sent(taken[0])], at: t0)
        let step35 = c.nextStep(at: t0 + 1)
        let commitA = try #require(transaction(step35))
        c.committed(commitA, claimed: [], cancelled: 0, renewed: true, pausedUntil: nil, started: t0 + 1, finished: t0 + 1)
        _ = c.finished(taken[1...4].map(sent), at: t0 + 3)
        let step36 = c.nextStep(at: t0 + 3)
        let commitB = try #require(transaction(step36))
        #expect(commitB.claim == 0)
        c.committed(commitB, claimed: [], cancelled: 0, renewed: true, pausedUntil: nil, started: t0 + 3, finished: t0 + 3)
        #expect(c.batch == 2)
        // Then 95 in the next two seconds: the batch grows in the same commit that claims two.
        var rest: [OutboxMessage] = []
        while let next = c.take(at: t0 + 3) { rest.append(next.message) }
        #expect(rest.count == 95)
        _ = c.finished(rest.map(sent), at: t0 + 4)
        let step37 = c.nextStep(at: t0 + 4)
        let claim = try #require(transaction(step37))
        #expect(claim.claim == 2 && claim.records.count == 95)
        c.committed(claim, claimed: messages(101...102), cancelled: 0, renewed: true, pausedUntil: nil, started: t0 + 4, finished: t0 + 5)
        #expect(c.batch > 2)
        #expect(!c.claimExhausted, "two asked for, two claimed: more may be due")
    }
}

/// A small deterministic generator (SplitMix64), so a failing order of events can be replayed.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
