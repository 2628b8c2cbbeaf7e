import Foundation
import Logging
import NewsletterCore
import NewsletterDelivery
import NewsletterStoreTestSupport
import NewsletterTestSupport
import Synchronization
import Testing

/// Claims with an owner and an expiry: on PostgreSQL several senders share the outbox, each
/// sending what it claimed, and a dead sender's claims go to another once they expire; on
/// SQLite one sender holds the database and takes back whatever was left `sending`.
@Suite("Outbox claims: owner, expiry, renewal and takeover, on both backends")
struct ClaimLeaseTests {
    /// Records every recipient; `beforeSend` runs first on each send (on the sender's thread).
    final class Recipients: Sendable {
        let list = Mutex<[String]>([])
        var all: [String] { list.withLock { $0 } }
    }

    struct RecordingTransport: MailTransport {
        let sent: Recipients
        let beforeSend: @Sendable () -> Void
        var destination: String { "recording" }
        func connect() throws -> any MailConnection { Connection(transport: self) }

        final class Connection: MailConnection {
            let transport: RecordingTransport
            init(transport: RecordingTransport) { self.transport = transport }
            func send(_ message: OutgoingMessage) -> SendResult {
                transport.beforeSend()
                transport.sent.list.withLock { $0.append(message.envelopeTo.value) }
                return SendResult(.sent, code: 250, text: "250 2.0.0 ok")
            }
            func close() {}
        }
    }

    /// Two recording transports for two senders: A's first send waits until B has sent one,
    /// so that both hold claims at once.
    final class GatedSenders: Sendable {
        let sentByA = Recipients()
        let sentByB = Recipients()
        let aStarted = DispatchSemaphore(value: 0)
        let gate = DispatchSemaphore(value: 0)
        let gateOpenedByB = Mutex(false)
        private let aFirst = Mutex(true)

        var a: RecordingTransport {
            RecordingTransport(sent: sentByA) { [self] in
                guard aFirst.withLock({ isFirst in defer { isFirst = false }; return isFirst }) else { return }
                aStarted.signal()
                // A bound for a broken build (B never sends), not a timing assumption: the
                // tests' expectations say what happened.
                _ = gate.wait(timeout: .now() + 120)
            }
        }

        var b: RecordingTransport {
            RecordingTransport(sent: sentByB) { [self] in
                if !gateOpenedByB.withLock({ opened in defer { opened = true }; return opened }) { gate.signal() }
            }
        }

        /// Waits, off the cooperative pool, until A is inside its first send.
        func aHasStarted() async { await offPool { [self] in aStarted.wait() } }
    }

    static func claimColumns(_ store: Store, _ id: Int64) throws -> (owner: String?, expires: Date?) {
        try store.read { tx in
            let row = try SQLRow.fetchOne(tx.db, sql: "SELECT claim_owner, claim_expires_at FROM outbox WHERE id = ?", arguments: [id])
            return (row?[0], row?[1])
        }
    }

    @Test("a claim names its owner and expiry; renewal moves the expiry; only expired claims of others are put back")
    func claimRenewRequeue() throws {
        let fixture = try DeliveryFixture()
        let ids = try (0..<4).map { try fixture.enqueue(to: "c\($0)@example.org") }
        let now = fixture.now
        let mine = ClaimLease(owner: "host-a/1/aa", expiresAt: now + 30)
        let claimed = try fixture.store.writeRows { tx in try tx.claimDueMessages(limit: 2, dueBy: now, lease: mine, at: now) }
        #expect(claimed.messages.map(\.id) == Array(ids.prefix(2)))
        let theirs = ClaimLease(owner: "host-b/2/bb", expiresAt: now + 30)
        let other = try fixture.store.writeRows { tx in try tx.claimDueMessages(limit: 5, dueBy: now, lease: theirs, at: now) }
        #expect(other.messages.map(\.id) == Array(ids.suffix(2)), "a second claim takes the rest, not the claimed")
        let stored = try Self.claimColumns(fixture.store, ids[0])
        #expect(stored.owner == "host-a/1/aa")
        #expect(stored.expires.map { abs($0.timeIntervalSince(now + 30)) < 0.01 } == true, "\(String(describing: stored.expires))")

        // `queue show` and `queue list --format json` say who holds a message being sent.
        let summary = try OutboxQueue(store: fixture.store, actor: "cli:test").show(ids[0]).message
        #expect(summary.claimOwner == "host-a/1/aa" && summary.claimExpiresAt != nil)
        let json = String(decoding: try JSONEncoder().encode(OutboxMessageJSON(summary)), as: UTF8.self)
        #expect(json.contains(#""claim_owner":"host-a\/1\/aa""#) && json.contains(#""claim_expires_at":"#), "\(json)")

        // Forty seconds on: A renewed, B did not.
        let later = now + 40
        #expect(try fixture.store.writeRows { tx in try tx.renewClaims(ClaimLease(owner: mine.owner, expiresAt: later + 30)) } == 2)
        #expect(try fixture.store.writeRows { tx in try tx.requeueExpiredClaims(at: later, exceptOwner: mine.owner) } == 2)
        #expect(try ids.map { try fixture.state($0) } == [.sending, .sending, .queued, .queued])
        #expect(try Self.claimColumns(fixture.store, ids[2]).owner == nil)
        // A's own claims, even past their expiry, are not put back while A lives.
        #expect(try fixture.store.writeRows { tx in try tx.requeueExpiredClaims(at: later + 60, exceptOwner: mine.owner) } == 0)

        // Releasing names the owner: B cannot hand back A's messages.
        try fixture.store.writeRows { tx in try tx.releaseClaimedMessages(ids: ids, owner: theirs.owner, at: later) }
        #expect(try fixture.state(ids[0]) == .sending)
        try fixture.store.writeRows { tx in try tx.releaseClaimedMessages(ids: ids, owner: mine.owner, at: later) }
        #expect(try ids.map { try fixture.state($0) } == [.queued, .queued, .queued, .queued])
    }

    @Test("a sender that died: its claims wait for their expiry on a shared database, and are taken back at once on SQLite")
    func takeoverAfterExpiry() async throws {
        let fixture = try DeliveryFixture()
        let ids = try (0..<3).map { try fixture.enqueue(to: "t\($0)@example.org") }
        let now = fixture.now
        _ = try fixture.store.writeRows { tx in
            try tx.claimDueMessages(limit: 3, dueBy: now, lease: ClaimLease(owner: "dead/9/99", expiresAt: now + 30), at: now)
        }
        let sent = Recipients()
        let runner = fixture.runner(RecordingTransport(sent: sent, beforeSend: {}))
        let first = try await runner.drainOffPool()
        if fixture.store.isShared {
            #expect(first.recovered == 0 && first.sent == 0, "a live claim is not another sender's to take: \(first)")
            #expect(try ids.map { try fixture.state($0) } == [.sending, .sending, .sending])
            #expect(try await offPool { try fixture.store.read { tx in try tx.hasDeliveryWork(dueBy: now, claimsExpiredBy: now) } } == false)
            fixture.advance(31)
            let later = fixture.now
            #expect(try await offPool { try fixture.store.read { tx in try tx.hasDeliveryWork(dueBy: later, claimsExpiredBy: later) } })
            let second = try await runner.drainOffPool()
            #expect(second.recovered == 3 && second.sent == 3, "\(second)")
        } else {
            #expect(first.recovered == 3 && first.sent == 3, "the one sender takes back what a dead one left: \(first)")
        }
        #expect(sent.all.sorted() == ["t0@example.org", "t1@example.org", "t2@example.org"])
        #expect(try ids.map { try fixture.state($0) } == [.sent, .sent, .sent])
    }

    @Test("two senders at once: on PostgreSQL both send, each message once; on SQLite the second is told another is sending")
    func twoSenders() async throws {
        let fixture = try DeliveryFixture()
        let count = 40
        for index in 0..<count { try fixture.enqueue(to: "p\(index)@example.org") }
        let senders = GatedSenders()
        var options = DeliveryRunner.Options(connections: 1, claimBatch: 5)
        options.pollInterval = 0.05
        let runnerA = fixture.runner(senders.a, options: options)
        let runnerB = fixture.runner(senders.b, options: options)
        async let drainedA = runnerA.drainOffPool()
        await senders.aHasStarted()
        if fixture.store.isShared {
            let reportB = try await runnerB.drainOffPool()
            let reportA = try await drainedA
            #expect(senders.gateOpenedByB.withLock { $0 }, "B sent while A held its claims")
            let all = senders.sentByA.all + senders.sentByB.all
            #expect(all.count == count, "every message sent once: A \(reportA.sent), B \(reportB.sent)")
            #expect(Set(all).count == count)
            #expect(reportA.sent > 0 && reportB.sent > 0 && reportA.sent + reportB.sent == count)
        } else {
            await #expect(throws: NewsletterError.self) { try await runnerB.drainOffPool() }
            senders.gate.signal()
            let reportA = try await drainedA
            #expect(reportA.sent == count && senders.sentByB.all.isEmpty)
        }
        #expect(try fixture.store.read { tx in try tx.outboxCounts() } == [.sent: count])
    }

    @Test("an hourly limit holds across two senders at once: together they send no more than it allows")
    func hourlyLimitAcrossSenders() async throws {
        let fixture = try DeliveryFixture()
        for index in 0..<20 { try fixture.enqueue(to: "h\(index)@example.org") }
        let senders = GatedSenders()
        let runner = { (transport: RecordingTransport) in
            DeliveryRunner(
                store: fixture.store, transport: transport, renderer: CompleteMessageRenderer(), maxPerHour: 5,
                options: DeliveryRunner.Options(connections: 1), logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
                now: fixture.clock)
        }
        let runnerA = runner(senders.a)
        let runnerB = runner(senders.b)
        async let drainedA = runnerA.drainOffPool()
        await senders.aHasStarted()
        if fixture.store.isShared {
            // Counted per sender, each would allow itself five; A holds claims while B sends.
            _ = try await runnerB.drainOffPool()
        }
        senders.gate.signal()
        _ = try await drainedA
        if !fixture.store.isShared { _ = try await runnerB.drainOffPool() }
        let (byA, byB) = (senders.sentByA.all.count, senders.sentByB.all.count)
        #expect(byA + byB == 5, "A \(byA), B \(byB)")
        #expect(try fixture.store.read { tx in try tx.outboxCounts() } == [.sent: 5, .queued: 15])
    }

    @Test("claims made at once take different rows: on PostgreSQL the second does not wait for the first to commit")
    func concurrentClaimsSkipLocked() async throws {
        let fixture = try DeliveryFixture()
        for index in 0..<6 { try fixture.enqueue(to: "s\(index)@example.org") }
        let store = fixture.store
        let now = fixture.now
        let claim = { @Sendable (owner: String) throws -> [Int64] in
            try store.writeRows { tx in
                try tx.claimDueMessages(limit: 3, dueBy: now, lease: ClaimLease(owner: owner, expiresAt: now + 30), at: now).messages.map(\.id)
            }
        }
        guard store.isShared else {
            // SQLite writes one at a time: one after the other, the claims still differ.
            let first = try claim("a")
            let second = try claim("b")
            #expect(Set(first).isDisjoint(with: second) && first.count == 3 && second.count == 3)
            return
        }
        let aClaimed = DispatchSemaphore(value: 0)
        let bDone = DispatchSemaphore(value: 0)
        let aCommitted = Mutex(false)
        let bFinishedBeforeACommitted = Mutex(false)
        async let first: [Int64] = offPool {
            let ids = try store.writeRows { tx in
                let ids = try tx.claimDueMessages(limit: 3, dueBy: now, lease: ClaimLease(owner: "a", expiresAt: now + 30), at: now)
                    .messages.map(\.id)
                aClaimed.signal()
                // A bound for a build whose second claim waits (the test then fails below).
                _ = bDone.wait(timeout: .now() + 60)
                return ids
            }
            aCommitted.withLock { $0 = true }
            return ids
        }
        await offPool { aClaimed.wait() }
        let second = try await offPool { try claim("b") }
        bFinishedBeforeACommitted.withLock { $0 = !aCommitted.withLock { $0 } }
        bDone.signal()
        let firstIDs = try await first
        #expect(bFinishedBeforeACommitted.withLock { $0 }, "the second claim ran while the first was open")
        #expect(firstIDs.count == 3 && second.count == 3 && Set(firstIDs).isDisjoint(with: second), "\(firstIDs) \(second)")
    }

    @Test("hourly and daily limits count every sender's sends and claims; a spent window says when it frees")
    func sharedBudget() throws {
        let fixture = try DeliveryFixture()
        let ids = try (0..<5).map { try fixture.enqueue(to: "b\($0)@example.org") }
        let now = fixture.now
        let sentAt = now - 1800
        try fixture.execute(
            "UPDATE outbox SET state = 'sent', sent_at = ? WHERE id IN (?, ?)", [StoredDate.text(sentAt), ids[0], ids[1]])
        try fixture.execute("UPDATE outbox SET state = 'sending' WHERE id = ?", [ids[2]])
        let open = try fixture.store.read { tx in try tx.sendingBudget(perHour: 10, perDay: 0, at: now) }
        #expect(open.remaining == 7 && open.freesAt == nil)
        let day = try fixture.store.read { tx in try tx.sendingBudget(perHour: 10, perDay: 4, at: now) }
        #expect(day.remaining == 1, "the tighter limit wins")
        let spent = try fixture.store.read { tx in try tx.sendingBudget(perHour: 3, perDay: 0, at: now) }
        #expect(spent.remaining == 0)
        #expect(spent.freesAt.map { abs($0.timeIntervalSince(sentAt + 3600)) < 0.01 } == true, "\(String(describing: spent.freesAt))")
    }

    @Test("the per-second limit is shared out between the daemons sending, rounded down, at least one each")
    func perSecondShare() {
        let limiter = RateLimiter(perSecond: 10, perHour: 0)
        limiter.sharePerSecond(among: 3)
        #expect(limiter.perSecondLimit == 3)
        limiter.sharePerSecond(among: 40)
        #expect(limiter.perSecondLimit == 1)
        limiter.sharePerSecond(among: 1)
        #expect(limiter.perSecondLimit == 10)
        let hourly = RateLimiter(perSecond: 0, perHour: 100)
        hourly.sharePerSecond(among: 2)
        #expect(hourly.perSecondLimit == 0)
    }
}
