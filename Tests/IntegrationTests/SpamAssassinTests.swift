import Foundation
import NewsletterTestSupport
import Testing

/// What the emails score with SpamAssassin (apt `spamassassin`), network tests off: the
/// messages are built by the real binaries from the demo site (`scripts/spamcheck.sh`, also
/// `make spamcheck`). Local rules only, so the result does not depend on the network.
@Suite("SpamAssassin")
struct SpamAssassinTests {
    static let installed = FileManager.default.isExecutableFile(atPath: "/usr/bin/spamassassin")

    @Test("the rules are loaded: the GTUBE test message is spam")
    func rulesLoaded() async throws {
        try #require(Self.installed, "spamassassin is not installed; make deps installs it")
        let home = TemporaryDirectory("spamassassin")
        let gtube = "Subject: test\r\n\r\nXJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X\r\n"
        let result = try await Binaries.run(
            "spamassassin", ["-L", "-t", "--cf=use_bayes 0", "--cf=bayes_auto_learn 0"], environment: ["HOME": home.path], stdin: gtube)
        #expect(result.stdout.contains("X-Spam-Status: Yes"), "\(result)")
    }

    @Test("a digest, a blog notification, a confirmation and a welcome each score 1.0 or less")
    func scores() async throws {
        try #require(Self.installed, "spamassassin is not installed; make deps installs it")
        let result = try await Binaries.run(
            "bash", [RepositoryPaths.root.appendingPathComponent("scripts/spamcheck.sh").path],
            environment: ["BIN_DIR": Binaries.folder.path, "SPAM_MAX": "1.0"])
        let lines = result.stdout.split(separator: "\n").filter { $0.hasPrefix("spamcheck: ") }
        #expect(result.status == 0, "\(result)")
        #expect(lines.count == 4, "\(result)")
        for line in lines {
            let score = line.split(separator: " ").firstIndex(of: "score").map { Double(line.split(separator: " ")[$0 + 1]) ?? 99 } ?? 99
            #expect(score <= 1.0, "\(line)")
        }
    }
}
