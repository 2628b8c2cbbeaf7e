import Foundation
import NewsletterCore
import NewsletterDelivery
import NewsletterTestSupport
import Testing

@Suite("Sending the outbox to a scripted SMTP server on loopback")
struct SMTPDeliveryTests {
    @Test("queued messages arrive byte for byte over one reused connection and are marked sent")
    func sendsOverOneConnection() async throws {
        let fixture = try DeliveryFixture()
        let server = try await ScriptedSMTPServer(in: fixture.dir)
        var ids: [Int64] = []
        for n in 0..<5 { ids.append(try fixture.enqueue(to: "carer\(n)@example.org")) }

        let report = try await fixture.runner(try fixture.transport(fixture.smtp(port: server.port))).drainOffPool()

        #expect(report.sent == 5)
        #expect(report.failed == 0 && report.deferred == 0)
        let messages = server.messages
        #expect(messages.count == 5)
        #expect(server.events("connect").count == 1, "one connection, reused for every message")
        #expect(server.events("ehlo").first?["name"] as? String == "example.org", "EHLO name from the From domain")
        for (index, id) in ids.enumerated() {
            let message = try fixture.message(id)
            #expect(message.state == .sent)
            #expect(message.lastCode == 250)
            #expect(message.lastText?.contains("queued as") == true)
            #expect(message.attempts == 1)
            #expect(message.sentAt != nil)
            let received = try #require(messages.first { $0["message_id"] as? String == message.messageID })
            #expect(received["to"] as? [String] == ["carer\(index)@example.org"])
            #expect(received["mail_from"] as? String == "news@example.org")
            guard case .complete(let body) = message.content else { Issue.record("body missing"); continue }
            #expect(server.messageData(received["number"] as! Int) == body)
        }
    }

    @Test(
        "each kind of refusal leaves the state the rules say, with the code and text kept",
        arguments: [
            ("rcpt451", DeliveryState.deferred, 451, "Try again later"),
            ("rcpt452", .deferred, 452, "Mailbox full"),
            ("rcpt550", .failed, 550, "No such user"),
            ("data554", .failed, 554, "rejected as spam"),
            ("data451", .deferred, 451, "Temporary problem"),
            ("rcpt421", .deferred, 421, "Shutting down"),
        ])
    func refusals(prefix: String, expected: DeliveryState, code: Int, text: String) async throws {
        let fixture = try DeliveryFixture()
        let server = try await ScriptedSMTPServer(in: fixture.dir)
        let refused = try fixture.enqueue(to: "\(prefix)-x@example.org")
        let good = try fixture.enqueue(to: "fine@example.org")

        let report = try await fixture.runner(try fixture.transport(fixture.smtp(port: server.port))).drainOffPool()

        let message = try fixture.message(refused)
        #expect(message.state == expected)
        #expect(message.lastCode == code)
        #expect(message.lastText?.contains(text) == true, "\(message.lastText ?? "nil")")
        #expect(message.attempts == 1)
        if expected == .deferred {
            // 1 minute, give or take the 10% jitter.
            let delay = message.nextAttemptAt.timeIntervalSince(fixture.now)
            #expect(delay >= 54 && delay <= 66, "retry in \(delay) s")
        }
        #expect(try fixture.state(good) == .sent, "the next message still goes")
        #expect(server.messages.count == 1)
        #expect(report.failed == (expected == .failed ? 1 : 0))
    }

    @Test("a connection dropped before the final reply is deferred, not lost")
    func dropBeforeFinalReply() async throws {
        let fixture = try DeliveryFixture()
        let server = try await ScriptedSMTPServer(in: fixture.dir)
        let dropped = try fixture.enqueue(to: "drop@example.org")
        let good = try fixture.enqueue(to: "fine@example.org")

        _ = try await fixture.runner(try fixture.transport(fixture.smtp(port: server.port))).drainOffPool()

        let message = try fixture.message(dropped)
        #expect(message.state == .deferred)
        #expect(message.lastText?.isEmpty == false)
        #expect(try fixture.state(good) == .sent)
        #expect(server.events("dropped").count == 1)
    }

    @Test("a server that stalls past the command timeout leaves the message deferred")
    func stallTimesOut() async throws {
        let fixture = try DeliveryFixture()
        let server = try await ScriptedSMTPServer(in: fixture.dir, arguments: ["--stall", "4"])
        let stalled = try fixture.enqueue(to: "stall@example.org")

        _ = try await fixture.runner(try fixture.transport(fixture.smtp(port: server.port))).drainOffPool()

        let message = try fixture.message(stalled)
        #expect(message.state == .deferred)
        #expect(message.lastText?.contains("timed out") == true, "\(message.lastText ?? "nil")")
    }

    @Test("a server that greets with 421 defers the message, backs the connection off, and the drain says the relay is unavailable")
    func greeting421() async throws {
        let fixture = try DeliveryFixture()
        let server = try await ScriptedSMTPServer(in: fixture.dir, arguments: ["--greet421"])
        var ids: [Int64] = []
        for n in 0..<10 { ids.append(try fixture.enqueue(to: "carer\(n)@example.org")) }

        let report = try await fixture.runner(try fixture.transport(fixture.smtp(port: server.port))).drainOffPool()

        #expect(report.relayUnavailable)
        #expect(report.deferred == 3, "one message per attempt; the connection gives up after 3 failures in a row")
        let states = try ids.map { try fixture.state($0) }
        #expect(states.filter { $0 == .deferred }.count == 3)
        #expect(states.filter { $0 == .queued }.count == 7, "the rest were never tried and stay queued")
        let deferred = try ids.map { try fixture.message($0) }.filter { $0.state == .deferred }
        #expect(deferred.allSatisfy { $0.lastCode == 421 })
        #expect(server.events("connect").count == 3)
    }

    @Test("a deferred message is tried again when due, keeps its Message-ID, and then fails after delivery.max_age")
    func retryThenExpire() async throws {
        let fixture = try DeliveryFixture()
        let server = try await ScriptedSMTPServer(in: fixture.dir)
        let id = try fixture.enqueue(to: "rcpt451@example.org")
        let delivery = DeliverySettings(maxAge: 3600, retryInitial: 60, retryMax: 600)
        let transport = try fixture.transport(fixture.smtp(port: server.port))

        _ = try await fixture.runner(transport, delivery: delivery).drainOffPool()
        #expect(try fixture.state(id) == .deferred)
        // Not due yet: nothing happens.
        _ = try await fixture.runner(transport, delivery: delivery).drainOffPool()
        #expect(try fixture.message(id).attempts == 1)

        fixture.advance(70)
        _ = try await fixture.runner(transport, delivery: delivery).drainOffPool()
        let second = try fixture.message(id)
        #expect(second.state == .deferred)
        #expect(second.attempts == 2)
        let delay = second.nextAttemptAt.timeIntervalSince(fixture.now)
        #expect(delay >= 108 && delay <= 132, "doubled to 2 minutes: \(delay)")

        fixture.advance(3600)
        _ = try await fixture.runner(transport, delivery: delivery).drainOffPool()
        let last = try fixture.message(id)
        #expect(last.state == .failed, "still failing after max_age")
        #expect(last.lastCode == 451)
        #expect(server.events("rejected").count == 3)
    }

    @Test("delivery.bounce_limit permanent failures in a row mark the subscriber bounced, suppressed and logged")
    func bounceRule() async throws {
        let fixture = try DeliveryFixture()
        let server = try await ScriptedSMTPServer(in: fixture.dir)
        let subscriber = try fixture.subscriber("rcpt550-carer@example.org")
        let other = try fixture.subscriber("fine@example.org")
        let transport = try fixture.transport(fixture.smtp(port: server.port))
        let delivery = DeliverySettings(bounceLimit: 3)

        for round in 1...3 {
            try fixture.enqueue(to: "rcpt550-carer@example.org", subscriberID: subscriber)
            try fixture.enqueue(to: "fine@example.org", subscriberID: other)
            let report = try await fixture.runner(transport, delivery: delivery).drainOffPool()
            #expect(report.failed == 1)
            #expect(report.bounced == (round == 3 ? 1 : 0))
            #expect(try fixture.subscriberStatus(subscriber) == (round == 3 ? .bounced : .active))
            fixture.advance(1)
        }
        #expect(try fixture.subscriberStatus(other) == .active)
        let suppression = try fixture.store.read { tx in
            try tx.suppression(hash: try EmailAddress("rcpt550-carer@example.org").hash)
        }
        #expect(suppression?.reason == .bounced)
        let log = try fixture.store.read { tx in try tx.consentLog(subscriberID: subscriber) }
        #expect(log.last?.action == .bounced)
        #expect(log.last?.wording?.contains("550") == true)

        // A message queued before the bounce was noticed is cancelled, not sent.
        let late = try fixture.enqueue(to: "rcpt550-carer@example.org", subscriberID: subscriber)
        _ = try await fixture.runner(transport, delivery: delivery).drainOffPool()
        #expect(try fixture.state(late) == .cancelled)
    }

    @Test("a success between permanent failures resets the count")
    func bounceNeedsARun() async throws {
        let fixture = try DeliveryFixture()
        let server = try await ScriptedSMTPServer(in: fixture.dir)
        let subscriber = try fixture.subscriber("person@example.org")
        let transport = try fixture.transport(fixture.smtp(port: server.port))
        // The same subscriber, reached at addresses the server treats differently.
        for to in ["rcpt550-a@example.org", "rcpt550-b@example.org", "fine@example.org", "rcpt550-c@example.org", "rcpt550-d@example.org"] {
            try fixture.enqueue(to: to, subscriberID: subscriber)
            _ = try await fixture.runner(transport, delivery: DeliverySettings(bounceLimit: 3)).drainOffPool()
            fixture.advance(1)
        }
        #expect(try fixture.subscriberStatus(subscriber) == .active)
    }

    @Test("a message whose subscriber unsubscribed or was erased after queueing is not sent")
    func cancelsForLeavers() async throws {
        let fixture = try DeliveryFixture()
        let server = try await ScriptedSMTPServer(in: fixture.dir)
        let leaver = try fixture.subscriber("leaver@example.org")
        let erased = try fixture.subscriber("erased@example.org")
        let stranger = try fixture.enqueue(to: "stranger@example.org", kind: .confirm)
        let toLeaver = try fixture.enqueue(to: "leaver@example.org", subscriberID: leaver)
        let toErased = try fixture.enqueue(to: "erased@example.org", subscriberID: erased)
        // Unsubscribing cancels queued mail itself; simulate a message claimed just before it.
        try fixture.execute("UPDATE outbox SET state = 'deferred' WHERE id = ?", [toLeaver])
        try fixture.execute("UPDATE subscriber SET status = 'unsubscribed' WHERE id = ?", [leaver])
        let directory = SubscriberDirectory(store: fixture.store, actor: "cli:test")
        try directory.erase(EmailAddress("erased@example.org"))
        try fixture.store.write { tx in
            try tx.suppress(hash: try EmailAddress("stranger@example.org").hash, reason: .unsubscribed, at: Date(), actor: "test")
        }

        let report = try await fixture.runner(try fixture.transport(fixture.smtp(port: server.port))).drainOffPool()

        #expect(report.sent == 0)
        #expect(try fixture.state(toLeaver) == .cancelled)
        #expect(try fixture.message(toLeaver).lastText?.contains("unsubscribed") == true)
        #expect(try fixture.state(stranger) == .cancelled)
        #expect(try fixture.store.read { tx in try tx.outboxMessage(id: toErased) } == nil, "erasure removes their messages")
        #expect(server.messages.isEmpty)
    }

    @Test("messages a killed sender left 'sending' are sent at the next start")
    func recoversSending() async throws {
        let fixture = try DeliveryFixture()
        let server = try await ScriptedSMTPServer(in: fixture.dir)
        let first = try fixture.enqueue(to: "a@example.org")
        let second = try fixture.enqueue(to: "b@example.org")
        try fixture.execute("UPDATE outbox SET state = 'sending'")

        let report = try await fixture.runner(try fixture.transport(fixture.smtp(port: server.port))).drainOffPool()

        #expect(report.recovered == 2)
        #expect(try fixture.state(first) == .sent)
        #expect(try fixture.state(second) == .sent)
        #expect(server.messages.count == 2)
    }

    @Test("an envelope address with CR or LF never reaches the server")
    func refusesInjection() async throws {
        let fixture = try DeliveryFixture()
        let server = try await ScriptedSMTPServer(in: fixture.dir)
        let id = try fixture.enqueue(to: "victim@example.org")
        try fixture.execute("UPDATE outbox SET envelope_to = ? WHERE id = ?", ["victim@example.org>\r\nRCPT TO:<evil@example.net", id])
        let bad = try fixture.enqueue(to: "other@example.org")
        try fixture.execute(
            "UPDATE outbox_body SET body = ? WHERE outbox_id = ?", [Data("Subject: hi\r\nBcc evil@example.net\r\n\r\nbody\r\n".utf8), bad])

        let report = try await fixture.runner(try fixture.transport(fixture.smtp(port: server.port))).drainOffPool()

        #expect(report.failed == 2)
        #expect(try fixture.message(id).lastText?.contains("line break") == true)
        #expect(try fixture.message(bad).lastText?.contains("Name: value") == true)
        #expect(server.events("message").isEmpty)
        #expect(server.events("connect").isEmpty, "nothing was even sent")
    }

    @Test("four connections share the work and every message arrives once")
    func parallelConnections() async throws {
        let fixture = try DeliveryFixture()
        let server = try await ScriptedSMTPServer(in: fixture.dir)
        for n in 0..<200 { try fixture.enqueue(to: "carer\(n)@example.org") }

        let report = try await fixture.runner(try fixture.transport(fixture.smtp(port: server.port, connections: 4)), connections: 4).drainOffPool()

        #expect(report.sent == 200)
        let ids = server.messages.compactMap { $0["message_id"] as? String }
        #expect(ids.count == 200)
        #expect(Set(ids).count == 200)
        #expect(server.events("connect").count == 4)
    }

    @Test("a continuous runner sends what is queued after it started, when woken, and stops cleanly")
    func continuousRunner() async throws {
        let fixture = try DeliveryFixture()
        let server = try await ScriptedSMTPServer(in: fixture.dir)
        let runner = DeliveryRunner(
            store: fixture.store, transport: try fixture.transport(fixture.smtp(port: server.port)), renderer: CompleteMessageRenderer(),
            options: DeliveryRunner.Options(connections: 2, pollInterval: 60))
        try runner.start()
        if fixture.store.isShared {
            // PostgreSQL has a sender per daemon: a second starts, and finds nothing to send.
            #expect(try await fixture.runner(CountingTransport()).drainOffPool().sent == 0)
        } else {
            await #expect(throws: NewsletterError.self, "one sender per SQLite database") { try await fixture.runner(CountingTransport()).drainOffPool() }
        }
        let first = try fixture.enqueue(to: "a@example.org")
        runner.wake()
        #expect(await waitUntil { (try? fixture.state(first)) == .sent })
        let second = try fixture.enqueue(to: "b@example.org")
        runner.wake()
        #expect(await waitUntil { (try? fixture.state(second)) == .sent })
        // stop waits for the sender threads, which may be inside libcurl: off the pool.
        #expect(await offPool { runner.stop(timeout: 60) })
        #expect(runner.progress.sent == 2)
        #expect(server.messages.count == 2)
        // The lock is free again.
        #expect(try await fixture.runner(CountingTransport()).drainOffPool().sent == 0)
    }
}

/// A transport that accepts everything and counts: for tests that need no server.
final class CountingTransport: MailTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var sent: [String] = []

    var destination: String { "counting" }

    func connect() throws -> any MailConnection { Connection(owner: self) }

    var recipients: [String] {
        lock.lock()
        defer { lock.unlock() }
        return sent
    }

    final class Connection: MailConnection {
        let owner: CountingTransport
        init(owner: CountingTransport) { self.owner = owner }

        func send(_ message: OutgoingMessage) -> SendResult {
            owner.lock.lock()
            owner.sent.append(message.envelopeTo.value)
            owner.lock.unlock()
            return SendResult(.sent, code: 250, text: "250 ok")
        }

        func close() {}
    }
}
