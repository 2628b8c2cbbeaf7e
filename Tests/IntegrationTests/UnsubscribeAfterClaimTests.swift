import Foundation
import NewsletterCore
import NewsletterTestSupport
import Testing

/// The real binaries: newsletterd has claimed a batch and is stuck on the first message's
/// reply; `newsletterctl subscribers remove` and `erase` for the next recipients must stop
/// their messages, which are claimed but not on the wire.
@Suite("newsletterd honours an unsubscribe or erase made after it claimed the message")
struct UnsubscribeAfterClaimTests {
    @Test("a relay stalls the first message; the others' subscribers leave meanwhile: their messages are cancelled, not sent")
    func unsubscribeDuringStall() async throws {
        let dir = TemporaryDirectory("after-claim")
        // The stall lasts until the test has removed and erased (the release file), however
        // long a loaded machine takes over that, and ends well inside the reply timeout.
        let release = dir.path("release")
        let server = try await ScriptedSMTPServer(in: dir, arguments: ["--stall", "240", "--release-file", release])
        let cli = try CLIFixture(withContent: true, extraConfig: """
            smtp:
              url: smtp://127.0.0.1:\(server.port)
              tls: none
              connections: 1
              command_timeout: 5m

            """)
        let store = try cli.store()
        func enqueue(to: String, subscriberID: Int64?) throws -> Int64 {
            let messageID = "\(UUID().uuidString.lowercased())@example.org"
            let body = "From: news@example.org\r\nTo: \(to)\r\nSubject: Test\r\nMessage-ID: <\(messageID)>\r\n\r\nHello.\r\n"
            let new = NewOutboxMessage(
                kind: .digest, subscriberID: subscriberID, envelopeFrom: try EmailAddress("news@example.org"), envelopeTo: try EmailAddress(to),
                messageID: messageID, content: .complete(Data(body.utf8)), notBefore: Date())
            return try store.write { tx in try tx.enqueue(new, at: Date()) }
        }
        func state(_ id: Int64) throws -> String? { try store.read { tx in try tx.outboxMessage(id: id)?.state.rawValue } }
        for email in ["stall@example.org", "leaver@example.org", "eraser@example.org", "stays@example.org"] {
            let added = try await Binaries.run("newsletterctl", ["subscribers", "add", email, "--config", cli.config])
            #expect(added.status == 0, "\(added)")
        }
        func id(_ email: String) throws -> Int64? { try store.read { tx in try tx.subscriber(key: email)?.id } }
        var ids: [String: Int64] = [:]
        for email in ["stall@example.org", "leaver@example.org", "eraser@example.org", "stays@example.org"] {
            ids[email] = try enqueue(to: email, subscriberID: try id(email))
        }

        let daemon = try Binaries.start("newsletterd", ["--once", "--config", cli.config])
        // The first message is on the wire and the rest are claimed (one connection).
        #expect(await waitUntil { !server.events("stalled").isEmpty })
        #expect(try state(ids["leaver@example.org"]!) == "sending")
        let removed = try await Binaries.run("newsletterctl", ["subscribers", "remove", "leaver@example.org", "--config", cli.config])
        #expect(removed.status == 0, "\(removed)")
        let erased = try await Binaries.run("newsletterctl", ["subscribers", "erase", "eraser@example.org", "--yes", "--config", cli.config])
        #expect(erased.status == 0, "\(erased)")
        try dir.write("release", "")
        let result = await daemon.wait()

        let sentTo = server.messages.compactMap { ($0["to"] as? [String])?.first }
        #expect(sentTo == ["stays@example.org"], "\(sentTo)\n\(result)")
        #expect(try state(ids["leaver@example.org"]!) == "cancelled")
        #expect(try state(ids["eraser@example.org"]!) == nil)
        #expect(try state(ids["stays@example.org"]!) == "sent")
        #expect(result.stderr.contains("not sent: the subscriber unsubscribed"), "\(result.stderr)")
    }
}
