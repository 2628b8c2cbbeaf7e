import Foundation
import GRDB
import NewsletterCore
import NewsletterTestSupport
import Testing

@Suite("A relay that fails on purpose")
struct FailingRelayTests {
    /// Address prefixes the scripted server acts on, with what the outbox should end as.
    static let temporary = ["first451", "first452", "first421", "firstdata451", "firstdrop", "firststall"]
    static let permanent = ["rcpt550": 550, "data554": 554]

    @Test("temporary failures are retried to success, permanent ones fail with their code, and the counts add up")
    func mixedFailures() async throws {
        let serverDir = TemporaryDirectory("smtp")
        let server = try await ScriptedSMTPServer(in: serverDir, arguments: ["--stall", "3"])
        let fixture = try ReliabilityFixture(smtpPort: server.port, connections: 2)
        // A share of each failure: small for those that cost the connection (421, a drop, a
        // stall past the timeout), which pause it before it is used again.
        let shares = ["first451": 30, "first452": 30, "firstdata451": 30, "first421": 8, "firstdrop": 8, "firststall": 8,
                      "rcpt550": 30, "data554": 30]
        let plain = 400
        let failing = shares.sorted { $0.key < $1.key }.flatMap { kind, count in (0..<count).map { "\(kind)-\($0)@example.org" } }
        let addresses = failing + (0..<plain).map { "carer\($0)@example.org" }
        let total = addresses.count
        func address(_ index: Int) -> String { addresses[index] }
        try await fixture.subscribe(total, address: address)
        try await fixture.editSite()

        let daemon = try fixture.startDaemon()
        let began = Date()
        let settled = await waitUntil(timeout: 180) {
            let digests = try? await fixture.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM digest") }
            let unsent = try? await fixture.unsent()
            return digests == total && unsent == 0
        }
        daemon.signal(SIGTERM)
        #expect(await daemon.wait().status == 0)
        let stuck = try await fixture.read { db in
            try Row.fetchAll(db, sql: "SELECT envelope_to, attempts, next_attempt_at, last_code, last_text, updated_at FROM outbox WHERE state = 'deferred' LIMIT 5")
        }
        #expect(settled, "every message reached a final state after \(Date().timeIntervalSince(began))s; daemon running: \(daemon.process.isRunning); still deferred: \(stuck)")

        let rows = try await fixture.read { db in
            try Row.fetchAll(db, sql: "SELECT envelope_to, state, last_code, attempts FROM outbox WHERE kind = 'digest'")
        }
        #expect(rows.count == total)
        let received = receivedCounts(server)
        var sent = 0
        var failed = 0
        for row in rows {
            let to: String = row[0]
            let state: String = row[1]
            let local = to.split(separator: "@")[0]
            if let code = Self.permanent.first(where: { local.hasPrefix($0.key) })?.value {
                #expect(state == "failed", "\(to)")
                #expect(row[2] as Int? == code, "\(to): \(row[2] as Int?)")
                failed += 1
            } else {
                #expect(state == "sent", "\(to) ended \(state)")
                #expect(received[to] == 1, "\(to) arrived \(received[to] ?? 0) times")
                if Self.temporary.contains(where: { local.hasPrefix($0) }) {
                    #expect(row[3] as Int >= 2, "\(to) was retried")
                }
                sent += 1
            }
        }
        #expect(sent + failed == total)
        #expect(failed == Self.permanent.keys.reduce(0) { $0 + shares[$1]! })
        #expect(try await fixture.integrityCheck() == "ok")
    }
}
