import Foundation
import NewsletterCore
import NewsletterStore
import NewsletterTestSupport
import Testing

/// A CLI fixture whose config points at an SMTP server on loopback, and a way to queue
/// messages straight into its database.
final class DeliveryCLIFixture: @unchecked Sendable {
    let cli: CLIFixture
    let store: Store

    init(port: Int, connections: Int = 1, from: String? = "Test Carers <news@example.org>", commandTimeout: String = "2s") throws {
        cli = try CLIFixture(mailFrom: from, withContent: true, extraConfig: """
            smtp:
              url: smtp://127.0.0.1:\(port)
              tls: none
              connections: \(connections)
              command_timeout: \(commandTimeout)
            """ + "\n")
        store = try Store.open(DatabaseSettings(path: cli.dir.path("data/newsletter.db")))
    }

    @discardableResult
    func enqueue(to: String, subscriberID: Int64? = nil, text: String = "Hello.") throws -> Int64 {
        let messageID = "\(UUID().uuidString.lowercased())@example.org"
        let body = "From: news@example.org\r\nTo: \(to)\r\nSubject: Test\r\nMessage-ID: <\(messageID)>\r\n\r\n\(text)\r\n"
        let new = NewOutboxMessage(
            kind: .digest, subscriberID: subscriberID, envelopeFrom: try EmailAddress("news@example.org"), envelopeTo: try EmailAddress(to),
            messageID: messageID, content: .complete(Data(body.utf8)), notBefore: Date())
        return try store.write { tx in try tx.enqueue(new, at: Date()) }
    }

    func state(_ id: Int64) throws -> String? {
        try store.read { tx in try tx.outboxMessage(id: id)?.state.rawValue }
    }

    func once() async throws -> CommandResult {
        try await Binaries.run("newsletterd", ["--once", "--config", cli.config])
    }

    func list(_ arguments: String...) async throws -> [[String: Any]] {
        let result = try await cli.ctl(arguments: ["queue", "list", "--format", "json"] + arguments)
        guard result.status == 0 else { throw TestSetupError("queue list failed: \(result)") }
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] ?? []
    }
}

@Suite("newsletterd --once, newsletterctl queue and send-test")
struct DeliveryCommandTests {
    @Test("newsletterd --once sends what is due and exits 0; queue list and show tell the story")
    func onceSends() async throws {
        let dir = TemporaryDirectory("once")
        let server = try await ScriptedSMTPServer(in: dir)
        let fixture = try DeliveryCLIFixture(port: server.port)
        let ids = try (0..<3).map { try fixture.enqueue(to: "carer\($0)@example.org") }

        let result = try await fixture.once()

        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.contains("outbox drained"))
        #expect(server.messages.count == 3)
        let listed = try await fixture.list()
        #expect(listed.map { $0["state"] as? String } == ["sent", "sent", "sent"])
        #expect(listed.first?["last_code"] as? Int == 250)
        #expect(listed.first?["envelope_to"] as? String == "carer0@example.org")
        #expect(listed.first?["id"] as? Int == Int(ids[0]))

        let table = try await fixture.cli.ctl("queue", "list")
        #expect(table.status == 0)
        #expect(table.stdout.contains("carer2@example.org"))
        #expect(table.stdout.hasSuffix("3 messages\n"))

        let shown = try await fixture.cli.ctl("queue", "show", String(ids[1]))
        #expect(shown.status == 0, "\(shown)")
        #expect(shown.stdout.contains("State:        sent"))
        #expect(shown.stdout.contains("Last reply:   250 2.0.0 Ok: queued as"))
        let json = try await fixture.cli.ctl("queue", "show", String(ids[1]), "--format", "json")
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["state"] as? String == "sent")
        #expect(object?["has_content"] as? Bool == true)

        let missing = try await fixture.cli.ctl("queue", "show", "999")
        #expect(missing.status == 67)
        #expect(missing.stderr == "newsletterctl: no message 999 in the outbox; 'newsletterctl queue list' shows them\n")
    }

    @Test("newsletterd --once ends with the cleanup: bodies of messages sent before keep_sent_days are pruned, the rows kept")
    func oncePrunes() async throws {
        let dir = TemporaryDirectory("once-prune")
        let server = try await ScriptedSMTPServer(in: dir)
        let fixture = try DeliveryCLIFixture(port: server.port)
        let old = try fixture.enqueue(to: "old@example.org")
        let recent = try fixture.enqueue(to: "recent@example.org")
        #expect(try await fixture.once().status == 0)
        let eightDaysAgo = StoredDate.text(Date() - 8 * 86400)
        try fixture.store.write { tx in
            try tx.db.execute(sql: "UPDATE outbox SET sent_at = ? WHERE id = ?", arguments: [eightDaysAgo, old])
        }

        let result = try await fixture.once()

        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.contains("pruned the bodies of old sent messages"))
        let pruned = try fixture.store.read { tx in try tx.outboxMessage(id: old) }
        #expect(pruned?.content == .pruned && pruned?.state == .sent)
        #expect(try fixture.store.read { tx in try tx.outboxMessage(id: recent) }?.content != .pruned)
        #expect(server.messages.count == 2, "nothing is sent again")
    }

    @Test("a permanent failure makes --once exit 65; queue retry and cancel change what happens next")
    func failuresRetryCancel() async throws {
        let dir = TemporaryDirectory("once-fail")
        let server = try await ScriptedSMTPServer(in: dir)
        let fixture = try DeliveryCLIFixture(port: server.port)
        let refused = try fixture.enqueue(to: "rcpt550@example.org")
        let later = try fixture.enqueue(to: "rcpt451@example.org")
        let good = try fixture.enqueue(to: "fine@example.org")

        var result = try await fixture.once()
        #expect(result.status == 65, "\(result)")
        #expect(result.stderr.contains("1 message failed permanently"))
        #expect(try fixture.state(refused) == "failed")
        #expect(try fixture.state(later) == "deferred")
        #expect(try fixture.state(good) == "sent")
        #expect(try await fixture.list("--state", "failed").map { $0["last_code"] as? Int } == [550])
        #expect(try await fixture.list("--state", "deferred", "--state", "failed").count == 2)

        // Sent messages are not sent twice; a sending one cannot be touched.
        result = try await fixture.cli.ctl("queue", "retry", String(good))
        #expect(result.status == 65, "\(result)")
        result = try await fixture.cli.ctl("queue", "retry", String(refused), "--all-failed")
        #expect(result.status == 64, "\(result)")
        result = try await fixture.cli.ctl("queue", "retry")
        #expect(result.status == 64, "\(result)")

        result = try await fixture.cli.ctl("queue", "retry", "--all-failed")
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == "Queued 1 message to be sent again.\n")
        #expect(try fixture.state(refused) == "queued")

        result = try await fixture.cli.ctl("queue", "cancel", String(refused), String(later))
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == "Cancelled 2 messages.\n")
        result = try await fixture.cli.ctl("queue", "cancel", String(good))
        #expect(result.status == 65, "\(result)")
        result = try await fixture.cli.ctl("queue", "cancel", "abc")
        #expect(result.status == 64, "\(result)")

        result = try await fixture.once()
        #expect(result.status == 0, "\(result)")
        #expect(server.events("rejected").count == 2, "nothing cancelled was tried again")

        result = try await fixture.cli.ctl("queue", "retry", String(later))
        #expect(result.status == 0)
        #expect(try fixture.state(later) == "queued")
    }

    @Test("an unreachable relay: --once exits 75 and the messages stay queued or deferred")
    func unreachable() async throws {
        let port = try FreePort.pick()
        let fixture = try DeliveryCLIFixture(port: port)
        let ids = try (0..<5).map { try fixture.enqueue(to: "carer\($0)@example.org") }

        let result = try await fixture.once()

        #expect(result.status == 75, "\(result)")
        #expect(result.stderr.contains("could not deliver through smtp://127.0.0.1:\(port)"))
        let states = try ids.map { try fixture.state($0) }
        #expect(states.allSatisfy { $0 == "deferred" || $0 == "queued" }, "\(states)")
        #expect(states.filter { $0 == "deferred" }.count == 3)
    }

    @Test("send-test sends one message now and prints the server's reply; refusals and missing settings exit non-zero")
    func sendTest() async throws {
        let dir = TemporaryDirectory("send-test")
        let server = try await ScriptedSMTPServer(in: dir)
        let fixture = try DeliveryCLIFixture(port: server.port)

        var result = try await fixture.cli.ctl("send-test", "someone@example.org")
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.hasPrefix("Sent to someone@example.org through smtp://127.0.0.1:\(server.port): 250 2.0.0 Ok: queued as T1"))
        let message = try #require(server.messages.first)
        #expect(message["to"] as? [String] == ["someone@example.org"])
        #expect(message["mail_from"] as? String == "news@example.org")
        #expect(try await fixture.list().isEmpty, "not queued in the outbox")

        result = try await fixture.cli.ctl("send-test", "rcpt550@example.org")
        #expect(result.status == 65)
        #expect(result.stderr.contains("550 5.1.1 No such user here"))
        result = try await fixture.cli.ctl("send-test", "rcpt451@example.org")
        #expect(result.status == 75)
        result = try await fixture.cli.ctl("send-test", "bad address@example.org")
        #expect(result.status == 65)

        let noFrom = try DeliveryCLIFixture(port: server.port, from: nil)
        result = try await noFrom.cli.ctl("send-test", "someone@example.org")
        #expect(result.status == 78, "\(result)")
        #expect(result.stderr.contains("mail.from"))
        #expect(server.messages.count == 1)
    }
}
