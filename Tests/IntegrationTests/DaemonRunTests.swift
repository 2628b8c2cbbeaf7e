import Foundation
import NewsletterCore
import NewsletterStoreTestSupport
import NewsletterTestSupport
import Testing

/// The daemon doing its whole job, as a sysadmin would run it.
@Suite("newsletterd running")
struct DaemonRunTests {
    /// Starts newsletterd and returns once it has told systemd it is ready.
    static func start(_ fixture: DaemonFixture) async throws -> (RunningProcess, NotifyListener) {
        let listener = try NotifyListener(path: fixture.dir.path("notify-\(UUID().uuidString.prefix(6)).sock"))
        let daemon = try Binaries.start("newsletterd", ["--config", fixture.config], environment: ["NOTIFY_SOCKET": listener.path])
        let messages = try await SystemdProtocolTests.read(listener, until: "READY=1")
        guard messages.last?.hasPrefix("READY=1") == true else {
            daemon.signal(SIGKILL)
            throw TestSetupError("newsletterd did not become ready: \(await daemon.wait())")
        }
        return (daemon, listener)
    }

    static func stop(_ daemon: RunningProcess) async -> CommandResult {
        daemon.signal(SIGTERM)
        return await daemon.wait()
    }

    @Test(
        "a digest time missed while stopped runs once at start, and the log says so; a second start repeats nothing",
        arguments: [TestDatabase.Backend.sqlite, .postgresql])
    func catchUp(_ backend: TestDatabase.Backend) async throws {
        let fixture = try DaemonFixture(backend: backend)
        #expect(try await fixture.ctl("subscribers", "add", "ann@example.org", "--name", "Ann").status == 0)
        #expect(try await fixture.ctl("content", "scan").status == 0)
        let page = fixture.dir.path("site/advocacy/advocacy-services.md")
        let edited = try String(contentsOfFile: page, encoding: .utf8).replacingOccurrences(of: "05/05/2022", with: "20/11/2026")
        try edited.write(toFile: page, atomically: true, encoding: .utf8)

        var (daemon, _) = try await Self.start(fixture)
        #expect(await fixture.wait { fixture.delivered().count == 1 }, "the weekly digest reaches the Maildir")
        var result = await Self.stop(daemon)
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.contains("catching up a weekly digest run missed while newsletterd was not running"), "\(result.stderr)")
        let runs = try fixture.store().read { tx in try tx.jobRuns() }
        #expect(runs["digest.weekly"]?.ok == true)
        #expect(runs["digest.daily"] != nil && runs["digest.monthly"] != nil)

        (daemon, _) = try await Self.start(fixture)
        result = await Self.stop(daemon)
        #expect(!result.stderr.contains("catching up"), "\(result.stderr)")
        #expect(try fixture.store().read { tx in try tx.jobRuns() } == runs)
        #expect(fixture.delivered().count == 1)
    }

    @Test(
        "while running: a new blog post reaches immediate subscribers, and a sign-up from newsletterctl is mailed without a restart",
        arguments: [TestDatabase.Backend.sqlite, .postgresql])
    func liveChanges(_ backend: TestDatabase.Backend) async throws {
        let fixture = try DaemonFixture(backend: backend)
        #expect(try await fixture.ctl("subscribers", "add", "reader@example.org", "--blog", "immediate", "--digest", "off").status == 0)
        let (daemon, _) = try await Self.start(fixture)
        do {
            try await Self.liveChanges(fixture)
        } catch {
            _ = await Self.stop(daemon)
            throw error
        }
        _ = await Self.stop(daemon)
    }

    static func liveChanges(_ fixture: DaemonFixture) async throws {

        try fixture.dir.write("site/blog/respite.md", """
            ---
            title: Finding respite this winter
            date: 2026-11-20
            ---
            How three carers found a break.
            """)
        #expect(await fixture.wait { fixture.delivered().count == 1 }, "the blog notification")
        let notification = try String(contentsOfFile: fixture.dir.path("Maildir/new/" + fixture.delivered()[0]), encoding: .utf8)
        #expect(notification.contains("Finding respite this winter"))
        #expect(notification.contains("Delivered-To: reader@example.org"))

        #expect(try await fixture.ctl("subscribers", "add", "newcomer@example.org", "--pending").status == 0)
        #expect(await fixture.wait(120) { fixture.delivered().count == 2 }, "the confirmation email, sent while the daemon runs")
    }

    @Test("status says whether the daemon runs, when digests go next, and the queue")
    func status() async throws {
        let fixture = try DaemonFixture()
        var result = try await fixture.ctl("status")
        #expect(result.stdout.hasPrefix("newsletterd: has never run against this database\n"), "\(result)")
        let (daemon, _) = try await Self.start(fixture)
        #expect(await fixture.wait(120) { (try? await fixture.ctl("status").stdout.hasPrefix("newsletterd: running (pid \(daemon.pid)")) == true })
        result = try await fixture.ctl("status", "--format", "json")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect((json["daemon"] as? [String: Any])?["running"] as? Bool == true)
        #expect(Set((json["next_runs"] as? [String: String])?.keys ?? [:].keys) == ["daily", "weekly", "monthly"])
        #expect((json["queue"] as? [String: Int])?["queued"] != nil)
        #expect(await Self.stop(daemon).status == 0)
        result = try await fixture.ctl("status")
        #expect(result.stdout.hasPrefix("newsletterd: not running (last seen"), "\(result)")
    }

    @Test("config check explains each problem and exits 78; a good config passes")
    func configCheck() async throws {
        let fixture = try DaemonFixture()
        var result = try await fixture.ctl("config", "check")
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.hasSuffix("The configuration is ready.\n"))
        try FileManager.default.removeItem(atPath: fixture.dir.path("site"))
        let broken = try fixture.dir.write(
            "broken.yaml",
            try String(contentsOfFile: fixture.config, encoding: .utf8).replacingOccurrences(of: "dir: \(RepositoryPaths.templates)", with: "dir: no-templates"))
        result = try await Binaries.run("newsletterctl", ["config", "check", "--config", broken])
        #expect(result.status == 78, "\(result)")
        #expect(result.stdout.contains("PROBLEM  templates: templates folder"))
        #expect(result.stdout.contains("PROBLEM  content: "))
        #expect(result.stderr == "newsletterctl: 2 problems in \(broken); see above\n")
    }
}
