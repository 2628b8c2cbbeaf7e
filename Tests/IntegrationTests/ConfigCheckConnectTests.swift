import Foundation
import NewsletterTestSupport
import Testing

@Suite("config check --connect and journal logging")
struct ConfigCheckConnectTests {
    func fixture(port: Int, password: String?) throws -> DaemonFixture {
        let fixture = try DaemonFixture()
        var yaml = try String(contentsOfFile: fixture.config, encoding: .utf8)
            .replacingOccurrences(of: "  transport: maildir\n  maildir: Maildir\n", with: "  transport: smtp\n")
        yaml += "smtp:\n  url: smtp://127.0.0.1:\(port)\n  tls: none\n"
        if let password {
            let file = try fixture.dir.write("smtp-password", password)
            chmod(file, 0o600)
            yaml += "  username: news\n  password_file: \(file)\n"
        }
        try fixture.dir.write("newsletter.yaml", yaml)
        return fixture
    }

    @Test("--connect logs in to the relay and sends nothing; a wrong password exits 69")
    func login() async throws {
        let dir = TemporaryDirectory("smtp")
        let server = try await ScriptedSMTPServer(in: dir, arguments: ["--auth", "news:right horse battery"])
        var result = try await fixture(port: server.port, password: "right horse battery").ctl("config", "check", "--connect")
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("ok       transport: smtp://127.0.0.1:\(server.port), logged in: 250"), "\(result.stdout)")
        #expect(server.events("message").isEmpty, "nothing was sent")

        result = try await fixture(port: server.port, password: "wrong").ctl("config", "check", "--connect")
        #expect(result.status == 69, "\(result)")
        #expect(result.stdout.contains("PROBLEM  transport: "))
        #expect(result.stderrLines == ["newsletterctl: the SMTP login failed; check smtp.url, smtp.username and the password file"])
        #expect(!result.stdout.contains("wrong") && !result.stderr.contains("wrong"), "the password is never printed")
    }

    @Test("under systemd's journal, log lines carry <N> priorities and no timestamps")
    func journal() async throws {
        let fixture = try DaemonFixture()
        let daemon = Binaries.path("newsletterd")
        // JOURNAL_STREAM names stderr's device and inode, as systemd sets it for the journal.
        let result = try await Binaries.run(
            "bash", ["-c", "JOURNAL_STREAM=$(stat -L -c '%d:%i' /proc/self/fd/2) exec \"$0\" --once --config \"$1\"", daemon, fixture.config])
        #expect(result.status == 0, "\(result)")
        let lines = result.stderrLines
        #expect(!lines.isEmpty)
        #expect(lines.allSatisfy { $0.hasPrefix("<6>") || $0.hasPrefix("<5>") || $0.hasPrefix("<4>") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("<6>content baseline recorded") }, "\(lines)")
    }
}
