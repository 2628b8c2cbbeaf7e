import Foundation
import NewsletterCore
import NewsletterTestSupport
import Testing

@Suite("Delivery survives SIGKILL")
struct DeliveryCrashTests {
    /// The bound the README documents: per kill, one message on the wire per connection
    /// plus the results not yet committed (DeliveryRunner.Options.maxUncommitted, 100).
    static func duplicateBound(connections: Int) -> Int { connections + 100 }

    @Test("killing newsletterd --once at random moments loses nothing and duplicates stay within the bound")
    func killAndRestart() async throws {
        let dir = TemporaryDirectory("crash")
        // The server accepts no more than the limit file says, so a run is always stopped
        // mid-way by the kill, however slowly the test notices that the count was reached.
        let limitFile = dir.path("limit")
        let server = try await ScriptedSMTPServer(in: dir, arguments: ["--limit-file", limitFile])
        let connections = 4
        // A held reply waits for the kill, not for the client's timeout.
        let fixture = try DeliveryCLIFixture(port: server.port, connections: connections, commandTimeout: "10m")
        let total = 3000
        try fixture.store.write { tx in
            for n in 0..<total {
                let messageID = "crash-\(n)@example.org"
                let body = "From: news@example.org\r\nTo: carer\(n)@example.org\r\nSubject: n\(n)\r\nMessage-ID: <\(messageID)>\r\n\r\nHello \(n).\r\n"
                try tx.enqueue(
                    NewOutboxMessage(
                        kind: .digest, subscriberID: nil, envelopeFrom: try EmailAddress("news@example.org"),
                        envelopeTo: try EmailAddress("carer\(n)@example.org"), messageID: messageID, content: .complete(Data(body.utf8)),
                        notBefore: Date()),
                    at: Date())
            }
        }

        var random = SeededGenerator(seed: 20_261_121)
        var kills = 0
        for _ in 0..<5 {
            let before = server.messages.count
            guard before < total - 400 else { break }
            // Kill after a random number of further deliveries: always mid-run, never before it starts.
            let target = before + Int.random(in: 20...400, using: &random)
            try String(target).write(toFile: limitFile, atomically: true, encoding: .utf8)
            let process = try Binaries.start("newsletterd", ["--once", "--config", fixture.cli.config, "--log-level", "warning"])
            let reached = await waitUntil(timeout: 600) { server.messages.count >= target || !process.process.isRunning }
            process.signal(SIGKILL)
            let result = await process.wait()
            #expect(reached)
            #expect(result.status == 128 + SIGKILL, "killed mid-run: \(result)")
            kills += 1
        }
        #expect(kills >= 3)
        try FileManager.default.removeItem(atPath: limitFile)

        let final = try await fixture.once()
        #expect(final.status == 0, "\(final)")
        #expect(final.stderr.contains("requeued messages a stopped sender left in flight") || kills == 0)

        let received = server.messages.compactMap { $0["message_id"] as? String }
        var counts: [String: Int] = [:]
        for id in received { counts[id, default: 0] += 1 }
        let missing = (0..<total).filter { counts["crash-\($0)@example.org"] == nil }
        #expect(missing.isEmpty, "never delivered: \(missing.prefix(10))")
        let duplicates = received.count - counts.count
        #expect(duplicates <= kills * Self.duplicateBound(connections: connections), "\(duplicates) duplicates after \(kills) kills")
        let states = try fixture.store.read { tx in try tx.outboxCounts() }
        #expect(states == [.sent: total])
        print("crash test: \(kills) kills, \(received.count) deliveries of \(total) messages, \(duplicates) duplicates")
    }
}
