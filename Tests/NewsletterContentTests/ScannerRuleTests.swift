import Foundation
import NewsletterCore
import Testing

@testable import NewsletterContent

/// The event rules, with a clock moved by hand.
@Suite("Scanner rules")
struct ScannerRuleTests {
    let fixture: ContentFixture

    init() throws {
        fixture = try ContentFixture()
        try fixture.write("support/advocacy.txt", FixtureSite.advocacyServices)
        try fixture.write("money/grants.md", "---\ntitle: Grants\nlast_updated: 2024-03-12\n---\nSmall grants for carers.\n")
        try fixture.write("blog/old-post.md", "---\ntitle: An old post\ndate: 2024-01-01\n---\nHello.\n")
        try fixture.scan()
        fixture.advance(days: 1)
    }

    @Test("a marker that moves later is one update event, with the page as it is now")
    func update() throws {
        try fixture.write("support/advocacy.txt", FixtureSite.advocacyServices.replacingOccurrences(of: "05/05/2022", with: "01/07/2024"))
        let report = try fixture.scan()
        #expect(report.filesRead == 1)
        let event = try #require(report.events.first)
        #expect(report.events.count == 1)
        #expect(event.kind == .pageUpdated)
        #expect(event.path == "support/advocacy.txt")
        #expect(event.marker == "2024-07-01")
        #expect(event.title == "Advocacy services")
        #expect(event.detectedAt == fixture.now)
        #expect(try fixture.scan().events.isEmpty)
        #expect(try fixture.events().count == 1)
    }

    @Test("an earlier marker, or new text with the same marker, is a note and no event")
    func noPhantoms() throws {
        try fixture.write("money/grants.md", "---\ntitle: Grants\nlast_updated: 2024-03-12\n---\nSmall grants for carers, now with a typo fixed.\n")
        let same = try fixture.scan()
        #expect(same.events.isEmpty)
        #expect(same.notes.map(\.reason) == ["text changed but the marker is still 2024-03-12; no event"])
        try fixture.write("money/grants.md", "---\ntitle: Grants\nlast_updated: 2023-03-12\n---\nSmall grants.\n")
        let earlier = try fixture.scan()
        #expect(earlier.events.isEmpty)
        #expect(earlier.notes.map(\.reason) == ["marker moved back from 2024-03-12 to 2023-03-12; no event"])
        // Measured from the date now shown: moving forward again to a date never announced is news.
        try fixture.write("money/grants.md", "---\ntitle: Grants\nlast_updated: 2024-03-13\n---\nSmall grants.\n")
        #expect(try fixture.scan().events.map(\.marker) == ["2024-03-13"])
    }

    @Test("a new post is announced once; a draft when its flag is cleared")
    func posts() throws {
        try fixture.write("blog/new.md", "---\ntitle: New post\ndate: 2024-07-02\n---\nNews.\n")
        try fixture.write("blog/draft.md", "---\ntitle: Draft\ndate: 2024-06-30\ndraft: true\n---\nNot yet.\n")
        let first = try fixture.scan()
        #expect(first.events.map(\.path) == ["blog/new.md"])
        #expect(first.events.first?.kind == .postPublished)
        #expect(first.events.first?.marker == "2024-07-02")
        #expect(try fixture.page("blog/draft.md")?.status == .draft)

        fixture.advance(seconds: 60)
        try fixture.write("blog/draft.md", "---\ntitle: Draft, finished\ndate: 2024-06-30\n---\nDone.\n")
        try fixture.write("blog/new.md", "---\ntitle: New post, edited\ndate: 2024-07-02\n---\nNews, edited.\n")
        let second = try fixture.scan()
        #expect(second.events.map(\.path) == ["blog/draft.md"])
        #expect(second.events.first?.title == "Draft, finished")
    }

    @Test("a post dated in the future is published when its date arrives")
    func scheduled() throws {
        try fixture.write("blog/future.md", "---\ntitle: Coffee morning\ndate: 2024-07-10\n---\nSee you.\n")
        let report = try fixture.scan()
        #expect(report.events.isEmpty)
        #expect(try fixture.page("blog/future.md")?.status == .scheduled)
        #expect(report.nextPublication == MarkerDate(iso: "2024-07-10")?.instant)
        fixture.advance(days: 3)
        #expect(try fixture.scan().events.isEmpty)
        fixture.advance(days: 10)
        let due = try fixture.scan(.paths([]))
        #expect(due.filesRead == 0)
        #expect(due.events.map(\.path) == ["blog/future.md"])
        #expect(due.events.first?.marker == "2024-07-10")
        #expect(try fixture.page("blog/future.md")?.status == .published)
        #expect(try fixture.scan().events.isEmpty)
    }

    @Test("a removed page is recorded as removed; back with a newer marker it is an update")
    func removedAndBack() throws {
        try fixture.remove("money/grants.md")
        let gone = try fixture.scan()
        #expect(gone.removed == ["money/grants.md"])
        #expect(try fixture.page("money/grants.md")?.status == .removed)
        try fixture.write("money/grants.md", "---\ntitle: Grants\nlast_updated: 2024-03-12\n---\nBack, same date.\n")
        #expect(try fixture.scan().events.isEmpty)
        try fixture.remove("money/grants.md")
        try fixture.scan()
        try fixture.write("money/grants.md", "---\ntitle: Grants\nlast_updated: 2024-06-30\n---\nBack, newer.\n")
        let back = try fixture.scan()
        #expect(back.events.map(\.marker) == ["2024-06-30"])
        #expect(try fixture.page("money/grants.md")?.status == .current)
    }

    @Test("a moved page or post keeps its history: no event")
    func moves() throws {
        try fixture.move("money/grants.md", "money/help/grants.md")
        try fixture.move("blog/old-post.md", "blog/2024/old-post.md")
        let report = try fixture.scan()
        #expect(report.events.isEmpty)
        #expect(Set(report.removed) == ["money/grants.md", "blog/old-post.md"])
        #expect(try fixture.page("blog/2024/old-post.md")?.announced == true)
        #expect(try fixture.page("money/grants.md") == nil)
    }

    @Test("a new page is news only if its marker is no older than the previous scan")
    func newPages() throws {
        try fixture.write("new/fresh.txt", "Fresh page\n\nLast updated: 2 July 2024\n")
        try fixture.write("new/copied.txt", "Copied page\n\nLast updated: 2 July 2019\n")
        let report = try fixture.scan()
        #expect(report.events.map(\.path) == ["new/fresh.txt"])
    }

    @Test("with content.fallback: hash, a page without a marker is updated when its text changes")
    func fallbackHash() throws {
        var settings = ContentSettings()
        settings.fallback = .hash
        let hashed = try ContentFixture(settings: settings)
        try hashed.write("plain.md", "# Plain\n\nNo date here.\n")
        try hashed.scan()
        hashed.advance(days: 1)
        try hashed.write("plain.md", "# Plain\n\nNo date here, but new words.\n")
        let path = hashed.dir.path("site/plain.md")
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_719_914_400)], ofItemAtPath: path)
        let report = try hashed.scan()
        #expect(report.events.map(\.marker) == ["2024-07-02T10:00:00Z"])
        // The same bytes again, touched: no change of text, no event.
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_720_000_000)], ofItemAtPath: path)
        #expect(try hashed.scan().events.isEmpty)
        // Without the fallback, a page without a marker is never announced.
        try fixture.write("plain.md", "# Plain\n")
        try fixture.scan()
        try fixture.write("plain.md", "# Plain\n\nChanged.\n")
        #expect(try fixture.scan().events.isEmpty)
    }

    @Test("a dry run reports the events and records nothing")
    func dryRun() throws {
        try fixture.write("money/grants.md", "---\ntitle: Grants\nlast_updated: 2024-06-01\n---\nSmall grants.\n")
        let rehearsal = try fixture.scan(dryRun: true)
        #expect(rehearsal.events.map(\.marker) == ["2024-06-01"])
        #expect(rehearsal.events.first?.id == 0)
        #expect(try fixture.events().isEmpty)
        #expect(try fixture.page("money/grants.md")?.lastUpdated == "2024-03-12")
        #expect(try fixture.scan().events.map(\.marker) == ["2024-06-01"])
    }

    @Test("a dry run of the very first scan records no baseline")
    func dryBaseline() throws {
        let fresh = try ContentFixture()
        try fresh.write("a.txt", "A\n\nLast updated: 1 May 2024\n")
        #expect(try fresh.scan(dryRun: true).baseline)
        #expect(try fresh.store.read { tx in try tx.contentScanState() } == nil)
        #expect(try fresh.scan().baseline)
    }

    @Test("overlapping scans (two processes, or a scan repeated after a crash) record each change once")
    func overlapping() throws {
        try fixture.write("money/grants.md", "---\ntitle: Grants\nlast_updated: 2024-06-01\n---\nSmall grants.\n")
        let first = try fixture.scanner()
        let second = try fixture.scanner()
        let a = try first.scan()
        let b = try second.scan()
        #expect(a.events.count + b.events.count == 1)
        // A scan that died before committing left nothing; its rerun finds the change again.
        try fixture.write("money/grants.md", "---\ntitle: Grants\nlast_updated: 2024-06-02\n---\nSmall grants.\n")
        struct Crash: Error {}
        #expect(throws: Crash.self) {
            try fixture.store.write { tx in
                try tx.recordEvent(
                    NewContentEvent(kind: .pageUpdated, path: "money/grants.md", title: "Grants", summary: nil, url: "u", topics: [], marker: "2024-06-02"),
                    detectedAt: fixture.now)
                throw Crash()
            }
        }
        #expect(try fixture.scan().events.map(\.marker) == ["2024-06-02"])
        #expect(try fixture.events().map(\.marker) == ["2024-06-01", "2024-06-02"])
    }

    @Test("a partial scan of a deleted folder removes everything in it")
    func partialRemoval() throws {
        try fixture.write("money/more/a.md", "# A\n")
        try fixture.scan()
        try FileManager.default.removeItem(atPath: fixture.dir.path("site/money"))
        let report = try fixture.scan(.paths(["money"]))
        #expect(Set(report.removed) == ["money/grants.md", "money/more/a.md"])
        #expect(try fixture.page("support/advocacy.txt")?.status == .current)
    }

    @Test("a missing content folder is a config error, and nothing is marked removed")
    func missingRoot() throws {
        let scanner = try fixture.scanner()
        try FileManager.default.moveItem(atPath: fixture.root, toPath: fixture.dir.path("elsewhere"))
        #expect(throws: NewsletterError.self) { try scanner.scan() }
        do {
            _ = try scanner.scan()
        } catch let error as NewsletterError {
            #expect(error.exitStatus == .config)
        }
        #expect(try fixture.page("money/grants.md")?.status == .current)
    }
}
