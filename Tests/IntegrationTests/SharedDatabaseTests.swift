import Foundation
import NewsletterCore
import NewsletterStoreTestSupport
import NewsletterTestSupport
import Testing

/// Several newsletterd on one PostgreSQL database.
@Suite("Two newsletterd sharing one PostgreSQL database")
struct SharedDatabaseTests {
    /// `newsletterctl status --format json`, parsed.
    static func status(_ fixture: DaemonFixture) async throws -> [String: Any] {
        let result = try await fixture.ctl("status", "--format", "json")
        guard result.status == 0, let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else {
            throw TestSetupError("status failed: \(result)")
        }
        return json
    }

    /// The daemons status lists, as (pid, role, live).
    static func daemons(_ fixture: DaemonFixture) async throws -> [(pid: Int32, role: String, live: Bool)] {
        (try await status(fixture)["daemons"] as? [[String: Any]] ?? []).map {
            (Int32($0["pid"] as? Int ?? 0), $0["role"] as? String ?? "", $0["live"] as? Bool ?? false)
        }
    }

    /// How many messages the outbox records as sent: a message delivered but not yet recorded
    /// is sent again by the next sender after a crash (the documented in-flight bound), so a
    /// test that wants an exact count waits for the record before it kills anything.
    static func recordedSent(_ fixture: DaemonFixture) async throws -> Int {
        (try await status(fixture)["queue"] as? [String: Any])?["sent"] as? Int ?? 0
    }

    @Test("one leads, both send; SIGKILL the first and the second takes the lead and sends on")
    func failover() async throws {
        let fixture = try DaemonFixture(backend: .postgresql)
        let (first, _) = try await DaemonRunTests.start(fixture)
        let (second, _) = try await DaemonRunTests.start(fixture)
        defer {
            first.signal(SIGKILL)
            second.signal(SIGKILL)
        }
        let both = try await Self.daemons(fixture)
        #expect(both.filter(\.live).count == 2, "\(both)")
        #expect(both.filter { $0.role == "leader" }.map(\.pid) == [first.pid], "the first to start leads: \(both)")
        #expect(both.filter { $0.role == "follower" }.map(\.pid) == [second.pid], "\(both)")
        let text = try await fixture.ctl("status")
        #expect(text.stdout.contains("Daemons:") && text.stdout.contains("leader") && text.stdout.contains("follower"), "\(text.stdout)")

        #expect(try await fixture.ctl("subscribers", "add", "one@example.org", "--pending").status == 0)
        #expect(await fixture.wait(120) { fixture.delivered().count == 1 }, "a daemon sends the confirmation")
        #expect(try await fixture.wait(120) { try await Self.recordedSent(fixture) == 1 }, "and records it")

        first.signal(SIGKILL)
        _ = await first.wait()
        #expect(try await fixture.ctl("subscribers", "add", "two@example.org", "--pending").status == 0)
        let tookOver = await fixture.wait(120) { fixture.delivered().count == 2 }
        if !tookOver {
            second.signal(SIGTERM)
            Issue.record("the second daemon did not send after the first died; its log:\n\(await second.wait().stderr)")
            return
        }
        let led = try await fixture.wait(120) {
            try await Self.daemons(fixture).contains { $0.pid == second.pid && $0.role == "leader" && $0.live }
        }
        let after = try await Self.daemons(fixture)
        #expect(led, "the second daemon takes the lead: \(after)")
        #expect(after.filter { $0.role == "leader" }.count == 1, "one leader, the dead one marked gone: \(after)")

        second.signal(SIGTERM)
        #expect(await second.wait().status == 0)
        #expect(try await Self.daemons(fixture).first { $0.pid == second.pid }?.role == "stopped")
    }

    @Test("a PostgreSQL that refuses connections at start: newsletterd says so in one line and exits 69", arguments: [["--once"], []])
    func serverDown(_ extra: [String]) async throws {
        let fixture = try CLIFixture(withContent: true)
        let port = try FreePort.pick()
        let yaml = try String(contentsOfFile: fixture.config, encoding: .utf8)
            .replacingOccurrences(of: "  path: data/newsletter.db\n", with: "  url: postgresql://newsletter@127.0.0.1:\(port)/carers?sslmode=disable\n")
        let config = try fixture.dir.write("down.yaml", yaml)
        let result = try await Binaries.run("newsletterd", extra + ["--config", config])
        #expect(result.status == 69, "\(result)")
        let lines = result.stderrLines.filter { !$0.contains(" info ") && !$0.contains(" notice ") }
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("cannot connect to postgresql://newsletter@127.0.0.1:\(port)/carers: Connection refused"), "\(result.stderr)")
    }

    @Test("PostgreSQL restarted mid-run: both daemons reconnect and carry on, the lead and the sending taken again, nothing lost")
    func serverRestart() async throws {
        let dir = TemporaryDirectory("pg-restart")
        let server = try await PrivatePostgres(in: dir)
        let fixture = try DaemonFixture(postgres: server.settings())
        let (first, _) = try await DaemonRunTests.start(fixture)
        let (second, _) = try await DaemonRunTests.start(fixture)
        defer {
            first.signal(SIGKILL)
            second.signal(SIGKILL)
        }
        #expect(try await fixture.ctl("subscribers", "add", "before@example.org", "--pending").status == 0)
        #expect(await fixture.wait(120) { fixture.delivered().count == 1 }, "sent before the restart")
        #expect(try await fixture.wait(120) { try await Self.recordedSent(fixture) == 1 }, "and recorded")

        try await server.restart()
        // newsletterctl reaches the restarted server at once; the daemons find their
        // connections gone, and take the lead and the sender's lock again.
        #expect(try await fixture.ctl("subscribers", "add", "after@example.org", "--pending").status == 0)
        #expect(await fixture.wait(180) { fixture.delivered().count == 2 }, "sent after the restart")
        let led = try await fixture.wait(180) {
            try await Self.daemons(fixture).filter { $0.role == "leader" && $0.live }.count == 1
        }
        let daemons = try await Self.daemons(fixture)
        #expect(led, "one leader again: \(daemons)")
        #expect(first.process.isRunning && second.process.isRunning, "neither daemon exited")
        let recipients = try fixture.delivered().map {
            try String(contentsOfFile: fixture.dir.path("Maildir/new/" + $0), encoding: .utf8)
        }
        #expect(recipients.filter { $0.contains("Delivered-To: before@example.org") }.count == 1)
        #expect(recipients.filter { $0.contains("Delivered-To: after@example.org") }.count == 1)
        second.signal(SIGTERM)
        first.signal(SIGTERM)
        #expect(await second.wait().status == 0)
        #expect(await first.wait().status == 0)
    }
}
