import Foundation
import Logging
import NewsletterCore
import NewsletterDelivery
import NewsletterTestSupport
import Testing

@Suite("Maildir delivery, and Postfix's smtp-sink")
struct MaildirAndSinkTests {
    @Test("Maildir: each message lands in new/ under a unique name, whole, with its envelope noted; tmp/ is left empty")
    func maildir() async throws {
        let fixture = try DeliveryFixture()
        let folder = fixture.dir.path("Maildir")
        var ids: [Int64] = []
        for n in 0..<20 { ids.append(try fixture.enqueue(to: "carer\(n)@example.org")) }

        let report = try await fixture.runner(try MaildirTransport(folder: folder), connections: 2).drainOffPool()

        #expect(report.sent == 20)
        let names = try FileManager.default.contentsOfDirectory(atPath: "\(folder)/new")
        #expect(names.count == 20)
        #expect(Set(names).count == 20)
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(folder)/tmp").isEmpty)
        #expect(FileManager.default.fileExists(atPath: "\(folder)/cur"))
        for id in ids {
            let message = try fixture.message(id)
            #expect(message.state == .sent)
            let name = try #require(names.first { name in
                let text = String(decoding: FileManager.default.contents(atPath: "\(folder)/new/\(name)") ?? Data(), as: UTF8.self)
                return text.contains("<\(message.messageID)>")
            })
            let data = try #require(FileManager.default.contents(atPath: "\(folder)/new/\(name)"))
            let text = String(decoding: data, as: UTF8.self)
            #expect(text.hasPrefix("Return-Path: <news@example.org>\r\nDelivered-To: \(message.envelopeTo)\r\n"))
            guard case .complete(let body) = message.content else { continue }
            #expect(data.suffix(body.count) == body)
        }
    }

    @Test("mail.transport maildir in the config picks the Maildir transport")
    func fromSettings() throws {
        let dir = TemporaryDirectory("maildir-config")
        let settings = try Settings.parse(
            yaml: "database:\n  path: db/n.db\nmail:\n  transport: maildir\n  maildir: mail\n", file: dir.path("n.yaml"))
        let transport = try Transports.make(settings)
        #expect(transport.destination == "maildir \(dir.path("mail"))")
        #expect(FileManager.default.fileExists(atPath: dir.path("mail/new")))
    }

    @Test("smtp-sink: 300 messages over 4 connections all arrive and are marked sent")
    func smtpSink() async throws {
        let fixture = try DeliveryFixture()
        let sink = try await SMTPSink(in: fixture.dir)
        for n in 0..<300 { try fixture.enqueue(to: "carer\(n)@example.org") }

        let report = try await fixture.runner(try fixture.transport(fixture.smtp(port: sink.port, connections: 4)), connections: 4).drainOffPool()

        #expect(report.sent == 300)
        #expect(await waitUntil { sink.count == 300 }, "sink has \(sink.count)")
        let counts = try fixture.store.read { tx in try tx.outboxCounts() }
        #expect(counts == [.sent: 300])
    }

    @Test("sent bodies are pruned after keep_sent_days; unsent ones and recent ones are kept")
    func pruning() async throws {
        let fixture = try DeliveryFixture()
        let old = try fixture.enqueue(to: "old@example.org")
        _ = try await fixture.runner(CountingTransport()).drainOffPool()
        let failed = try fixture.enqueue(to: "failed@example.org")
        try fixture.execute("UPDATE outbox SET state = 'failed' WHERE id = ?", [failed])
        fixture.advance(8 * 86400)
        let recent = try fixture.enqueue(to: "recent@example.org")
        let counting = CountingTransport()
        _ = try await fixture.runner(counting).drainOffPool()
        #expect(counting.recipients == ["recent@example.org"])
        // Sending prunes nothing: that is housekeeping's work.
        #expect(try fixture.message(old).content != .pruned)

        let pruner = SentMessagePruner(store: fixture.store, keepSentDays: 7, logger: Logger(label: "test"), now: fixture.clock)
        #expect(pruner.prune().messages == 1)
        #expect(pruner.prune().messages == 0)

        #expect(try fixture.message(old).content == .pruned)
        #expect(try fixture.message(old).state == .sent)
        #expect(try fixture.message(recent).content != .pruned)
        #expect(try fixture.message(failed).content != .pruned)
    }
}
