import Foundation
import NewsletterCore
import NewsletterStoreTestSupport
import NewsletterTestSupport
import Testing

@Suite("Two newsletterd on PostgreSQL, killed during a digest run")
struct SharedDatabaseCrashTests {
    static let subscribers = 20_000
    static let connections = 2

    @Test("20,000 digests, two daemons, a SIGKILL at three random moments: one digest each, every one sent, duplicates within the bound")
    func killThreeTimes() async throws {
        let serverDir = TemporaryDirectory("smtp")
        let server = try await ScriptedSMTPServer(in: serverDir)
        let fixture = try ReliabilityFixture(
            smtpPort: server.port, connections: Self.connections, postgres: try PostgresTestCluster.newDatabase())
        try await fixture.subscribe(Self.subscribers)
        try await fixture.editSite()

        var daemons = [try fixture.startDaemon(), try fixture.startDaemon()]
        defer { daemons.forEach { $0.signal(SIGKILL) } }
        var generator = SeededGenerator(seed: 13)
        var kills = 0
        for _ in 0..<3 {
            // Moments spread over composing (the leader) and sending (the sender): whichever
            // of the two is killed, the other takes its part over, and the killed one comes
            // back as a follower.
            // Up to 30 s apart: the kills fall in composing (about the first minute here)
            // and in sending (the minutes after).
            try await Task.sleep(nanoseconds: UInt64(Double.random(in: 2...30, using: &generator) * 1e9))
            let victim = Int.random(in: 0...1, using: &generator)
            if daemons[victim].process.isRunning {
                daemons[victim].signal(SIGKILL)
                kills += 1
            }
            let result = await daemons[victim].wait()
            #expect(result.status == 128 + SIGKILL, "\(result)")
            daemons[victim] = try fixture.startDaemon()
        }

        // A bound for a run that stalls, not a speed test: the checks below say what went wrong.
        let finished = await waitUntil(timeout: 1200) {
            let digests = try? await fixture.count("SELECT COUNT(*) FROM digest")
            let unsent = try? await fixture.count("SELECT COUNT(*) FROM outbox WHERE state IN ('queued', 'sending', 'deferred')")
            if digests == Self.subscribers && unsent == 0 { return true }
            // Two queries a second are enough; polling faster only takes the daemons' CPU.
            try? await Task.sleep(nanoseconds: 500_000_000)
            return false
        }
        // The lead moved as leaders died: one leader now, one of the two running, the dead
        // marked gone.
        let pids = daemons.map { String($0.pid) }.joined(separator: ",")
        let oneLeader = await waitUntil(timeout: 120) {
            let leaders = try? await fixture.count("SELECT COUNT(*) FROM daemon_instance WHERE role = 'leader'")
            let live = try? await fixture.count("SELECT COUNT(*) FROM daemon_instance WHERE role = 'leader' AND pid IN (\(pids))")
            if leaders == 1 && live == 1 { return true }
            try? await Task.sleep(nanoseconds: 500_000_000)
            return false
        }
        let roles = try await fixture.texts("SELECT pid || ' ' || role FROM daemon_instance")
        #expect(oneLeader, "\(roles)")
        for daemon in daemons { daemon.signal(SIGTERM) }
        for daemon in daemons {
            let stopped = await daemon.wait()
            #expect(stopped.status == 0, "\(stopped)")
        }
        #expect(finished, "the run finished after the kills")

        #expect(try await fixture.count("SELECT COUNT(DISTINCT subscriber_id) FROM digest") == Self.subscribers)
        #expect(try await fixture.count("SELECT COUNT(DISTINCT period) FROM digest WHERE cadence = 'weekly'") == 1)
        let events = try await fixture.texts("SELECT CAST(id AS TEXT) FROM content_event ORDER BY id")
        #expect(events.count == 2)
        let selections = try await fixture.texts("SELECT DISTINCT s.event_ids FROM digest d JOIN digest_selection s ON s.id = d.selection_id")
        #expect(selections == ["[\(events.joined(separator: ","))]"], "every digest holds both events: no watermark skipped")
        #expect(try await fixture.count("SELECT COUNT(*) FROM outbox WHERE state <> 'sent'") == 0)

        // Every digest reached the server, and no more were sent twice than the messages that
        // can be on the wire or awaiting their record when a sender dies.
        let counts = receivedCounts(server)
        #expect(counts.count == Self.subscribers, "every subscriber received their digest")
        let duplicates = counts.values.reduce(0) { $0 + $1 - 1 }
        #expect(duplicates <= kills * CrashDuringDigestRunTests.duplicatesPerCrash, "\(duplicates) duplicates after \(kills) kills")
    }
}
