import Foundation
import NewsletterTestSupport
import Testing

@Suite("The systemd unit")
struct SystemdUnitTests {
    static let unit = RepositoryPaths.root.appendingPathComponent("systemd/newsletterd.service").path

    @Test("systemd-analyze verify accepts it")
    func verify() async throws {
        let dir = TemporaryDirectory("unit")
        let text = try String(contentsOfFile: Self.unit, encoding: .utf8)
            .replacingOccurrences(of: "/usr/local/bin/newsletterd", with: Binaries.path("newsletterd"))
        let copy = try dir.write("newsletterd.service", text)
        let result = try await Binaries.run("systemd-analyze", ["verify", copy])
        #expect(result.status == 0, "\(result)")
        #expect(!result.stderr.contains("newsletterd.service:"), "\(result.stderr)")
    }

    @Test("its exposure score is 1.5 or below, and it keeps the promises the README makes")
    func security() async throws {
        let result = try await Binaries.run("systemd-analyze", ["security", "--offline=yes", "--no-pager", Self.unit])
        let line = try #require(result.stdout.split(separator: "\n").last { $0.contains("Overall exposure level") })
        let score = try #require(Double(line.split(separator: ":").last!.split(separator: " ").first!))
        #expect(score <= 1.5, "\(line)")
        let text = try String(contentsOfFile: Self.unit, encoding: .utf8)
        for required in [
            "Type=notify", "ExecReload=/bin/kill -HUP $MAINPID", "WatchdogSec=", "Restart=on-failure", "StateDirectory=carers-newsletter",
            "LoadCredential=smtp-password:", "User=newsletter", "ProtectSystem=strict",
        ] {
            #expect(text.contains(required), "missing \(required)")
        }
    }
}
