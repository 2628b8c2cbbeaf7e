import Foundation
import GRDB
import NewsletterCore
import NewsletterTestSupport
import Testing

@Suite("Crashes during a digest run")
struct CrashDuringDigestRunTests {
    static let subscribers = 20_000
    static let connections = 2
    /// Documented in the README: at most connections + 100 duplicates per crash.
    static let duplicatesPerCrash = connections + 100

    @Test("SIGKILL at five random moments of a 20,000-digest run: one digest each, nothing skipped, duplicates within the bound")
    func killFiveTimes() async throws {
        let serverDir = TemporaryDirectory("smtp")
        let server = try await ScriptedSMTPServer(in: serverDir)
        let fixture = try ReliabilityFixture(smtpPort: server.port, connections: Self.connections)
        try await fixture.subscribe(Self.subscribers)
        try await fixture.editSite()

        var generator = SeededGenerator(seed: 20_000)
        var kills = 0
        for _ in 0..<5 {
            let daemon = try fixture.startDaemon()
            // Moments spread over composing (the first second or two) and sending.
            let delay = Double.random(in: 0.3...8, using: &generator)
            try await Task.sleep(nanoseconds: UInt64((delay) * 1e9))
            if daemon.process.isRunning {
                daemon.signal(SIGKILL)
                kills += 1
            }
            let result = await daemon.wait()
            #expect(result.status == 128 + SIGKILL || result.status == 0, "\(result)")
        }

        let last = try fixture.startDaemon()
        let finished = await waitUntil(timeout: 180) {
            let digests = try? await fixture.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM digest") }
            let unsent = try? await fixture.unsent()
            return digests == Self.subscribers && unsent == 0
        }
        last.signal(SIGTERM)
        let stopped = await last.wait()
        #expect(finished, "the run finished after the restarts")
        #expect(stopped.status == 0, "\(stopped)")

        // Every subscriber has exactly one digest for the period, holding every event.
        let (digests, periods, events, selections) = try await fixture.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT subscriber_id) FROM digest") ?? 0,
             try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT period) FROM digest WHERE cadence = 'weekly'") ?? 0,
             try Int64.fetchAll(db, sql: "SELECT id FROM content_event ORDER BY id"),
             try String.fetchAll(db, sql: "SELECT DISTINCT s.event_ids FROM digest d JOIN digest_selection s ON s.id = d.selection_id"))
        }
        #expect(digests == Self.subscribers)
        #expect(periods == 1)
        #expect(events.count == 2)
        #expect(selections == ["[\(events.map(String.init).joined(separator: ","))]"], "every digest holds both events: no watermark skipped")

        // Every digest reached the server at least once; repeats stay within the bound.
        let counts = receivedCounts(server)
        #expect(counts.count == Self.subscribers, "every subscriber received their digest")
        let duplicates = counts.values.reduce(0) { $0 + $1 - 1 }
        #expect(duplicates <= kills * Self.duplicatesPerCrash, "\(duplicates) duplicates after \(kills) kills")
        let states = try await fixture.read { db in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) FROM outbox GROUP BY state") }
        #expect(states.count == 1 && states.first?[0] == "sent", "\(states)")
        #expect(try await fixture.integrityCheck() == "ok")
    }
}
