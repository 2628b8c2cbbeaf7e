import Foundation
import NewsletterCore
import NewsletterStoreTestSupport
import NewsletterTestSupport
import Testing

/// Several newsletterd on one PostgreSQL database.
@Suite("Two newsletterd sharing one PostgreSQL database")
struct SharedDatabaseTests {
    /// The daemons `newsletterctl status --format json` lists, as (pid, role, live).
    static func daemons(_ fixture: DaemonFixture) async throws -> [(pid: Int32, role: String, live: Bool)] {
        let result = try await fixture.ctl("status", "--format", "json")
        guard result.status == 0, let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else {
            throw TestSetupError("status failed: \(result)")
        }
        return (json["daemons"] as? [[String: Any]] ?? []).map {
            (Int32($0["pid"] as? Int ?? 0), $0["role"] as? String ?? "", $0["live"] as? Bool ?? false)
        }
    }

    @Test("one leads and sends, the other stands by; SIGKILL the first and the second takes the lead and the sending")
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
        #expect(await fixture.wait(120) { fixture.delivered().count == 1 }, "the first daemon sends the confirmation")

        first.signal(SIGKILL)
        _ = await first.wait()
        #expect(try await fixture.ctl("subscribers", "add", "two@example.org", "--pending").status == 0)
        #expect(await fixture.wait(120) { fixture.delivered().count == 2 }, "the second daemon takes over the sending")
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
}
