import Foundation
import NewsletterCore
import NewsletterTestSupport
import Testing

@Suite("newsletterctl digest")
struct DigestCommandTests {
    let fixture: CLIFixture

    init() throws {
        fixture = try CLIFixture()
    }

    func recordEvents() throws {
        let store = try fixture.store()
        try store.write { tx in
            try tx.recordEvent(
                NewContentEvent(
                    kind: .pageUpdated, path: "advocacy/services.md", title: "Advocacy services", summary: "How an advocate can help.",
                    url: "https://carers.example.org/advocacy/services", topics: ["advocacy"], marker: "2022-05-05"),
                detectedAt: Date())
            try tx.recordEvent(
                NewContentEvent(
                    kind: .postPublished, path: "blog/respite.md", title: "Finding respite", summary: "A carer's story.",
                    url: "https://carers.example.org/blog/respite", topics: [], marker: "2026-11-20"),
                detectedAt: Date())
        }
    }

    @Test("preview shows a carer's digest in text, HTML and as a whole message, and changes nothing")
    func preview() async throws {
        try await fixture.ctl("subscribers", "add", "ann@example.org", "--name", "Ann")
        try recordEvents()
        var result = try await fixture.ctl("digest", "preview", "--to", "ann@example.org")
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.hasPrefix("Subject: Peak District Carers: 1 page updated and 1 new blog post\n"))
        #expect(result.stdout.contains("Hello Ann,"))
        #expect(result.stdout.contains("Updated 5 May 2022"))
        result = try await fixture.ctl("digest", "preview", "--to", "ann@example.org", "--format", "html")
        #expect(result.stdout.contains("<html lang=\"en\""))
        result = try await fixture.ctl("digest", "preview", "--to", "ann@example.org", "--format", "eml")
        let parsed = try await PythonEmail.parse(Data(result.stdout.utf8))
        #expect(parsed.defects.isEmpty)
        #expect(parsed.parts.count == 2)
        let queued = try fixture.store().read { tx in try tx.outboxMessage(id: 1) }
        #expect(queued == nil)
    }

    @Test("run queues each due digest once per period")
    func run() async throws {
        try await fixture.ctl("subscribers", "add", "ann@example.org")
        try await fixture.ctl("subscribers", "add", "bob@example.org", "--digest", "monthly")
        try recordEvents()
        var result = try await fixture.ctl("digest", "run", "--cadence", "weekly")
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains(": 1 digest queued, 0 with nothing new (no email)"))
        result = try await fixture.ctl("digest", "run")
        #expect(result.status == 0, "\(result)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("daily "))
        #expect(lines[1].hasSuffix(": 0 digests queued, 0 with nothing new (no email)"))
        #expect(lines[2].hasSuffix(": 1 digest queued, 0 with nothing new (no email)"))
        let recipients = try fixture.store().read { tx in [try tx.outboxMessage(id: 1), try tx.outboxMessage(id: 2)].compactMap { $0?.envelopeTo } }
        #expect(recipients == ["ann@example.org", "bob@example.org"])
    }

    @Test("adding a pending subscriber queues their confirmation email with them")
    func pendingConfirmation() async throws {
        let result = try await fixture.ctl("subscribers", "add", "new@example.org", "--pending")
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("A confirmation email is queued"))
        let message = try #require(try fixture.store().read { tx in try tx.outboxMessage(id: 1) })
        #expect(message.kind == .confirm)
        #expect(message.envelopeTo == "new@example.org")
        let update = try await fixture.ctl("subscribers", "update", "new@example.org", "--active")
        #expect(update.stdout.contains("A welcome email is queued."))
        #expect(try fixture.store().read { tx in try tx.outboxMessage(id: 2) }?.kind == .welcome)
    }

    @Test("bad input: unknown subscriber 67, missing mail settings 78, --cadence off 64")
    func badInput() async throws {
        var result = try await fixture.ctl("digest", "preview", "--to", "nobody@example.org")
        #expect(result.status == 67)
        #expect(result.stderrLines.count == 1)
        result = try await fixture.ctl("digest", "run", "--cadence", "off")
        #expect(result.status == 64)
        let bare = try CLIFixture(mail: false)
        result = try await bare.ctl("digest", "run")
        #expect(result.status == 78)
        #expect(result.stderrLines == ["newsletterctl: config \(bare.config): mail.from is not set; emails need a sender such as \"Carers News <news@carers.example.org>\""])
        let broken = try CLIFixture(extraConfig: "digest:\n  send_empty: sometimes\n")
        result = try await broken.ctl("digest", "run")
        #expect(result.status == 78)
        #expect(result.stderr.contains("digest.send_empty: expected true or false, found \"sometimes\""))
    }
}
