import Foundation
import NewsletterCore
import NewsletterTestSupport
import Testing

@Suite("The binaries start")
struct BinaryBasicsTests {
    @Test("both print their version and help", arguments: ["newsletterctl", "newsletterd"])
    func versionAndHelp(_ binary: String) async throws {
        let version = try await Binaries.run(binary, ["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == NewsletterVersion.current)
        let help = try await Binaries.run(binary, ["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("USAGE: \(binary)"))
        #expect(help.stdout.contains(binary == "newsletterctl" ? "subscribers" : "--config"))
    }

    @Test("newsletterd --once opens the database and exits 0")
    func daemonOnce() async throws {
        let fixture = try CLIFixture(withContent: true)
        let result = try await Binaries.run("newsletterd", ["--once", "--config", fixture.config])
        #expect(result.status == 0, "\(result)")
        #expect(FileManager.default.fileExists(atPath: fixture.dir.path("data/newsletter.db")))
    }

    @Test("without --config, NEWSLETTER_CONFIG names the file")
    func environmentConfig() async throws {
        let fixture = try CLIFixture()
        let result = try await Binaries.run(
            "newsletterctl", ["subscribers", "add", "ann@example.org"], environment: ["NEWSLETTER_CONFIG": fixture.config])
        #expect(result.status == 0, "\(result)")
        #expect(try await fixture.emails() == ["ann@example.org"])
    }
}
