import Foundation
import NewsletterCore
import NewsletterTestSupport
import Testing

/// SIGHUP while the relay takes longer over a reply than newsletterd's 20 s stop limit: the
/// reload applies whole (the running sender takes the new settings in place, keeping its
/// lock), delivery goes on without a restart, and later reloads still reload.
@Suite("A reload during a slow relay")
struct ReloadDuringStallTests {
    /// Datagrams until one is exactly `field` on a line of its own, each wait suspends off the pool.
    static func read(_ listener: NotifyListener, until field: String, timeout: TimeInterval = 60) async throws -> [String] {
        try await listener.messages(for: timeout, untilField: field)
    }

    @Test("SIGHUP during a 22 s stalled reply: reloaded, later messages delivered without a restart, a second SIGHUP reloads too")
    func reloadDuringStall() async throws {
        let dir = TemporaryDirectory("reload-stall")
        let server = try await ScriptedSMTPServer(in: dir, arguments: ["--stall", "22"])
        func smtp(_ connections: Int) -> String {
            """
            smtp:
              url: smtp://127.0.0.1:\(server.port)
              tls: none
              connections: \(connections)
              command_timeout: 60s

            """
        }
        let cli = try CLIFixture(withContent: true, extraConfig: smtp(1))
        let base = try String(contentsOfFile: cli.config, encoding: .utf8).replacingOccurrences(of: smtp(1), with: "")
        let store = try cli.store()
        func enqueue(_ to: String) throws {
            let messageID = "\(UUID().uuidString.lowercased())@example.org"
            let body = "From: news@example.org\r\nTo: \(to)\r\nSubject: Test\r\nMessage-ID: <\(messageID)>\r\n\r\nHello.\r\n"
            let new = NewOutboxMessage(
                kind: .digest, subscriberID: nil, envelopeFrom: try EmailAddress("news@example.org"), envelopeTo: try EmailAddress(to),
                messageID: messageID, content: .complete(Data(body.utf8)), notBefore: Date())
            _ = try store.write { tx in try tx.enqueue(new, at: Date()) }
        }
        func delivered(_ to: String) -> Bool {
            server.messages.contains { ($0["to"] as? [String])?.first == to }
        }

        try enqueue("stall@example.org")
        let listener = try NotifyListener(path: cli.dir.path("notify.sock"))
        let daemon = try Binaries.start("newsletterd", ["--config", cli.config], environment: ["NOTIFY_SOCKET": listener.path])
        let startup = try await Self.read(listener, until: "READY=1")
        #expect(startup.contains { $0.hasPrefix("READY=1") }, "\(startup)")
        #expect(await waitUntil { !server.events("stalled").isEmpty })

        // The reply to the first message is 22 s away: reload with new SMTP settings now.
        try cli.dir.write("newsletter.yaml", base + smtp(2))
        daemon.signal(SIGHUP)
        let first = try await Self.read(listener, until: "READY=1")
        #expect(first.contains { $0.hasPrefix("RELOADING=1") }, "\(first)")
        try enqueue("after-first-reload@example.org")
        #expect(await waitUntil(timeout: 90) { delivered("after-first-reload@example.org") }, "not delivered after the reload")

        try cli.dir.write("newsletter.yaml", base + smtp(3))
        daemon.signal(SIGHUP)
        let second = try await Self.read(listener, until: "READY=1")
        #expect(second.contains { $0.hasPrefix("RELOADING=1") }, "\(second)")
        try enqueue("after-second-reload@example.org")
        #expect(await waitUntil(timeout: 60) { delivered("after-second-reload@example.org") }, "not delivered after the second reload")

        daemon.signal(SIGTERM)
        let result = await daemon.wait()
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.components(separatedBy: "configuration reloaded").count - 1 == 2, "\(result.stderr)")
        #expect(!result.stderr.contains("reload failed"), "\(result.stderr)")
        #expect(result.stderr.contains("delivery settings in force"), "\(result.stderr)")
    }
}
