import Foundation
import GRDB

import NewsletterTestSupport
import Testing

@testable import NewsletterCompose
@testable import NewsletterCore

@Suite("Which digests go to whom")
struct DigestComposerTests {
    let f: ComposeFixture

    init() throws {
        f = try ComposeFixture()
    }

    var week: TimeInterval { 7 * 86400 }

    func text(_ data: Data) async throws -> String {
        try #require(try await PythonEmail.parse(data).parts.first { $0.type == "text/plain" }).content
    }

    @Test("a digest holds the events after the watermark, filtered by topic, and moves the watermark")
    func selection() async throws {
        let start = f.monday - 30 * 86400
        try f.subscriber("all@example.org", name: "Ann", at: start)
        try f.subscriber("money@example.org", topics: ["money"], at: start)
        try f.event("advocacy/services.md", title: "Advocacy services", topics: ["advocacy"], at: f.monday - 3 * 86400)
        try f.event("money/benefits.md", title: "Benefits for carers", topics: ["money"], at: f.monday - 2 * 86400)
        try f.event("about.md", title: "About us", at: f.monday - 86400)

        let report = try f.digests.run(cadence: .weekly, at: f.monday)
        #expect(report.queued == 2)
        #expect(report.period == "2026-W47")
        #expect(report.editions == 2)
        let mail = try f.rendered()
        let all = try await text(try #require(mail["all@example.org"]))
        #expect(all.contains("Hello Ann,"))
        #expect(all.contains("Advocacy services") && all.contains("Benefits for carers") && all.contains("About us"))
        let money = try await text(try #require(mail["money@example.org"]))
        #expect(money.contains("Hello,"))
        #expect(money.contains("Benefits for carers"))
        #expect(!money.contains("Advocacy services") && !money.contains("About us"))

        // The next week holds only what came after this cut-off.
        try f.event("advocacy/what.md", title: "What is advocacy", topics: ["advocacy"], at: f.monday + 86400)
        let next = try f.digests.run(cadence: .weekly, at: f.monday + week)
        #expect(next.queued == 1)
        #expect(next.empty == 1)
        let later = try f.queued().last!
        #expect(later.envelopeTo == "all@example.org")
        let body = try await text(try EditionRenderer(store: f.store).render(later))
        #expect(body.contains("What is advocacy") && !body.contains("Benefits for carers"))
    }

    @Test("running twice in one period, or after a crash part-way, never makes a second digest")
    func idempotent() throws {
        for index in 0..<7 { try f.subscriber("p\(index)@example.org", at: f.monday - week) }
        try f.event("a.md", title: "A page", at: f.monday - 3600)
        #expect(try f.digests.run(cadence: .weekly, at: f.monday).queued == 7)
        let second = try f.digests.run(cadence: .weekly, at: f.monday + 3600)
        let third = try f.digests.run(cadence: .weekly, at: f.monday + 2 * 86400)
        #expect(second.queued == 0, "\(second)")
        #expect(third.queued == 0, "\(third)")
        #expect(try f.queued().count == 7)
        let records = try f.store.read { tx in try Int.fetchOne(tx.db, sql: "SELECT COUNT(*) FROM digest") }
        let rows = try f.store.read { tx in try SQLRow.fetchAll(tx.db, sql: "SELECT subscriber_id, period, cutoff FROM digest") }
        #expect(records == 7, "\(rows)")
    }

    @Test("a crash between chunks: the next run finishes the rest and repeats nobody")
    func resumesAfterCrash() throws {
        for index in 0..<7 { try f.subscriber("p\(index)@example.org", at: f.monday - week) }
        try f.event("a.md", title: "A page", at: f.monday - 3600)
        // Simulate a run that died after its first chunk of three.
        let period = DigestPeriod.key(.weekly, at: f.monday, in: f.environment.timeZone)
        try f.store.write { tx in
            for recipient in try tx.dueDigestRecipients(cadence: .weekly, period: period, upTo: f.monday, afterID: 0, limit: 3) {
                try tx.recordDigest(
                    subscriberID: recipient.subscriber.id, cadence: .weekly, period: period, cutoff: f.monday, selectionID: nil, outboxID: nil,
                    at: f.monday)
            }
        }
        #expect(try f.digests.run(cadence: .weekly, at: f.monday + 60).queued == 4)
    }

    @Test("blog posts: in the digest for 'digest', left out for 'immediate' and 'off'")
    func blogModes() async throws {
        try f.subscriber("digest@example.org", blog: .digest, at: f.monday - week)
        try f.subscriber("immediate@example.org", blog: .immediate, at: f.monday - week)
        try f.subscriber("off@example.org", blog: .off, at: f.monday - week)
        try f.event("blog/respite.md", title: "Finding respite", kind: .postPublished, at: f.monday - 86400)
        try f.event("a.md", title: "A page", at: f.monday - 86400)
        _ = try f.digests.run(cadence: .weekly, at: f.monday)
        let mail = try f.rendered()
        #expect(try await text(mail["digest@example.org"]!).contains("Finding respite"))
        #expect(try await !text(mail["immediate@example.org"]!).contains("Finding respite"))
        #expect(try await !text(mail["off@example.org"]!).contains("Finding respite"))
    }

    @Test("nothing to say means no email, unless digest.send_empty is on")
    func empty() async throws {
        try f.subscriber("quiet@example.org", at: f.monday - week)
        let report = try f.digests.run(cadence: .weekly, at: f.monday)
        #expect(report.queued == 0 && report.empty == 1)
        #expect(try f.queued().isEmpty)

        let loud = try ComposeFixture(sendEmpty: true)
        try loud.subscriber("quiet@example.org", at: loud.monday - week)
        #expect(try loud.digests.run(cadence: .weekly, at: loud.monday).queued == 1)
        #expect(try await text(try loud.rendered()["quiet@example.org"]!).contains("Nothing on our website has changed this week"))
    }

    @Test("someone who joins mid-week gets only what came after they joined: no backlog")
    func joinedMidWeek() async throws {
        try f.event("old.md", title: "Old news", at: f.monday - 5 * 86400)
        try f.subscriber("new@example.org", at: f.monday - 3 * 86400)
        try f.event("fresh.md", title: "Fresh news", at: f.monday - 86400)
        _ = try f.digests.run(cadence: .weekly, at: f.monday)
        let body = try await text(try f.rendered()["new@example.org"]!)
        #expect(body.contains("Fresh news") && !body.contains("Old news"))
    }

    @Test("cadences and statuses: only active subscribers on that cadence, active by the cut-off")
    func whoIsDue() throws {
        try f.subscriber("weekly@example.org", at: f.monday - week)
        try f.subscriber("monthly@example.org", digest: .monthly, at: f.monday - week)
        try f.subscriber("off@example.org", digest: .off, at: f.monday - week)
        try f.subscriber("pending@example.org", status: .pending, at: f.monday - week)
        try f.subscriber("later@example.org", at: f.monday + 3600)
        try f.event("a.md", title: "A page", at: f.monday - 3600)
        #expect(try f.digests.run(cadence: .weekly, at: f.monday).queued == 1)
        #expect(try f.digests.run(cadence: .monthly, at: f.monday).queued == 1)
        #expect(try f.digests.run(cadence: .off, at: f.monday).queued == 0)
        #expect(Set(try f.queued().map(\.envelopeTo)) == ["weekly@example.org", "monthly@example.org"])
    }

    @Test("each digest is recorded with its period, cut-off and events")
    func records() throws {
        let ann = try f.subscriber("ann@example.org", at: f.monday - week)
        let event = try f.event("a.md", title: "A page", at: f.monday - 3600)
        _ = try f.digests.run(cadence: .weekly, at: f.monday)
        let records = try f.store.read { tx in try tx.digests(subscriberID: ann.id) }
        #expect(records.count == 1)
        #expect(records[0].period == "2026-W47")
        #expect(records[0].eventIDs == [event.id])
        #expect(abs(records[0].cutoff.timeIntervalSince(f.monday)) < 0.001)
        #expect(records[0].outboxID != nil)
    }

    @Test("preview shows what they would get and writes nothing")
    func preview() async throws {
        try f.subscriber("ann@example.org", name: "Ann", at: f.monday - week)
        try f.event("a.md", title: "A page", at: f.monday - 3600)
        let preview = try #require(try f.digests.preview(EmailAddress("ann@example.org"), at: f.monday))
        #expect(preview.text.contains("Hello Ann,"))
        #expect(preview.html.contains("Hello Ann,"))
        #expect(preview.subject == "Peak District Carers: 1 page updated")
        #expect(try await PythonEmail.parse(preview.message).defects.isEmpty)
        #expect(try f.queued().isEmpty)
        #expect(try f.store.read { tx in try Int.fetchOne(tx.db, sql: "SELECT COUNT(*) FROM digest") } == 0)
        #expect(try f.digests.preview(EmailAddress("ann@example.org"), at: f.monday - 7200) == nil)
    }

    @Test("periods follow the London calendar: ISO weeks, days and months")
    func periods() {
        let london = TimeZone(identifier: "Europe/London")!
        // Sunday 29 March 2026, 23:30 BST (22:30 UTC, the day the clocks went forward): still week 13.
        let sundayNight = Date(timeIntervalSince1970: 1_774_823_400)
        #expect(DigestPeriod.key(.weekly, at: sundayNight, in: london) == "2026-W13")
        #expect(DigestPeriod.key(.weekly, at: sundayNight + 3600, in: london) == "2026-W14")
        #expect(DigestPeriod.key(.daily, at: sundayNight, in: london) == "2026-03-29")
        #expect(DigestPeriod.key(.monthly, at: sundayNight, in: london) == "2026-03")
        // 1 January 2027 is in ISO week 53 of 2026.
        #expect(DigestPeriod.key(.weekly, at: Date(timeIntervalSince1970: 1_798_761_600), in: london) == "2026-W53")
    }

    @Test("the fast event index chooses exactly what the plain rule chooses", arguments: [8, 100])
    func indexMatchesRule(topicCount: Int) {
        var generator = SeededGenerator(seed: UInt64(topicCount))
        let topics = (0..<topicCount).map { "topic-\($0)" }
        let base = f.monday
        let events = (0..<60).map { index in
            ContentEvent(
                id: Int64(index + 1), kind: Bool.random(using: &generator) ? .pageUpdated : .postPublished, path: "p\(index)", title: "t",
                summary: nil, url: "u", topics: (0..<Int.random(in: 0...3, using: &generator)).map { _ in topics.randomElement(using: &generator)! },
                marker: "2026-11-01", detectedAt: base + Double(Int.random(in: -1000...1000, using: &generator)))
        }
        let index = EventIndex(events)
        for id in 0..<300 {
            let subscriber = Subscriber(
                id: Int64(id), email: "s\(id)@example.org", name: nil, status: .active, digest: .weekly,
                blog: BlogMode.allCases.randomElement(using: &generator)!,
                topics: (0..<Int.random(in: 0...3, using: &generator)).map { _ in topics.randomElement(using: &generator)! } + (id % 7 == 0 ? ["unknown"] : []),
                createdAt: base, updatedAt: base, activeSince: base)
            let recipient = DigestRecipient(subscriber: subscriber, watermark: base + Double(Int.random(in: -1200...800, using: &generator)))
            #expect(index.select(for: recipient) == DigestContent.select(from: events, for: recipient).map(\.id))
        }
    }
}
