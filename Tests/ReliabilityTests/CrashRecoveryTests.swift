import Foundation
import GRDB
import NewsletterCore
import NewsletterTestSupport
import Testing

@Suite("The next start after a crash is clean")
struct CrashRecoveryTests {
    @Test("SIGKILL during a content scan: the next scan completes, records each change once, and the database is sound")
    func duringScan() async throws {
        let fixture = try ReliabilityFixture(smtpPort: 9)
        for index in 0..<3_000 {
            try fixture.dir.write("site/topic-\(index % 40)/page-\(index).md", "---\ntitle: Page \(index)\nlast_updated: 2024-03-01\n---\n" + String(repeating: "Words about caring. ", count: 200))
        }
        #expect(try await fixture.ctl("content", "scan").status == 0)
        for index in stride(from: 0, to: 3_000, by: 3) {
            let file = fixture.dir.path("site/topic-\(index % 40)/page-\(index).md")
            try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(of: "2024-03-01", with: "2024-04-01").write(toFile: file, atomically: true, encoding: .utf8)
        }
        var generator = SeededGenerator(seed: 3)
        for _ in 0..<3 {
            let scan = try Binaries.start("newsletterctl", ["content", "scan", "--config", fixture.config])
            try await Task.sleep(nanoseconds: UInt64((Double.random(in: 0.05...0.4, using: &generator)) * 1e9))
            scan.signal(SIGKILL)
            _ = await scan.wait()
            #expect(try await fixture.integrityCheck() == "ok")
        }
        #expect(try await fixture.ctl("content", "scan").status == 0)
        #expect(try await fixture.ctl("content", "scan").stdout.contains("No events."), "a second scan finds nothing more")
        let (events, distinct) = try await fixture.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM content_event") ?? 0,
             try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT path) FROM content_event") ?? 0)
        }
        #expect(events == 1_000)
        #expect(distinct == 1_000)
    }

    @Test("SIGKILL during an import: all of it or none of it, and importing again finishes the job")
    func duringImport() async throws {
        let fixture = try ReliabilityFixture(smtpPort: 9)
        let csv = "email,name\n" + (0..<60_000).map { "carer\($0)@example.org,Carer \($0)\n" }.joined()
        let file = try fixture.dir.write("people.csv", csv)
        #expect(try await fixture.ctl("subscribers", "list", "--format", "csv").status == 0)
        var generator = SeededGenerator(seed: 4)
        for _ in 0..<3 {
            let load = try Binaries.start("newsletterctl", ["subscribers", "import", file, "--config", fixture.config])
            try await Task.sleep(nanoseconds: UInt64((Double.random(in: 0.1...0.8, using: &generator)) * 1e9))
            load.signal(SIGKILL)
            _ = await load.wait()
            let count = try await fixture.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM subscriber") ?? -1 }
            #expect(count == 0 || count == 60_000, "a killed import left \(count) subscribers")
            #expect(try await fixture.integrityCheck() == "ok")
        }
        #expect(try await fixture.ctl("subscribers", "import", file).status == 0)
        #expect(try await fixture.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM subscriber") } == 60_000)
        #expect(try await fixture.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM consent_log") } == 60_000)
    }

    @Test("SIGKILL during a SIGHUP reload: the next start is clean and ready")
    func duringReload() async throws {
        let serverDir = TemporaryDirectory("smtp")
        let server = try await ScriptedSMTPServer(in: serverDir)
        let fixture = try ReliabilityFixture(smtpPort: server.port)
        try await fixture.subscribe(500)
        var generator = SeededGenerator(seed: 5)
        for _ in 0..<3 {
            let listener = try NotifyListener(path: fixture.dir.path("notify.sock"))
            let daemon = try Binaries.start("newsletterd", ["--config", fixture.config], environment: ["NOTIFY_SOCKET": listener.path])
            #expect(try await Self.waitFor("READY=1", listener))
            daemon.signal(SIGHUP)
            try await Task.sleep(nanoseconds: UInt64((Double.random(in: 0...0.05, using: &generator)) * 1e9))
            daemon.signal(SIGKILL)
            _ = await daemon.wait()
            #expect(try await fixture.integrityCheck() == "ok")
        }
        let listener = try NotifyListener(path: fixture.dir.path("notify.sock"))
        let daemon = try Binaries.start("newsletterd", ["--config", fixture.config], environment: ["NOTIFY_SOCKET": listener.path])
        #expect(try await Self.waitFor("READY=1", listener))
        daemon.signal(SIGTERM)
        let result = await daemon.wait()
        #expect(result.status == 0, "\(result)")
        #expect(!result.stderr.contains("error"), "\(result.stderr)")
    }

    /// Whether a datagram naming `field` arrives within `timeout`; each receive waits off the pool.
    static func waitFor(_ field: String, _ listener: NotifyListener, timeout: TimeInterval = 120) async throws -> Bool {
        try await waitUntil(timeout: timeout) {
            guard let message = try await listener.receive(timeout: 1) else { return false }
            return message.split(separator: "\n").contains { $0 == field }
        }
    }
}
