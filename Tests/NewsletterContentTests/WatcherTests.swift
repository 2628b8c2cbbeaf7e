import Foundation
import NewsletterCore
import NewsletterTestSupport
import Testing

@testable import NewsletterContent

/// What a watcher reported, and a way to wait for it.
final class WatcherInbox: @unchecked Sendable {
    private let condition = NSCondition()
    private var events: [ContentEvent] = []
    private var reports: [ScanReport] = []

    func add(_ new: [ContentEvent]) {
        condition.lock()
        events += new
        condition.broadcast()
        condition.unlock()
    }

    func add(_ report: ScanReport) {
        condition.lock()
        reports.append(report)
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until `predicate` holds for what was reported, or `timeout` passes. The wait
    /// suspends the task rather than holding a pool thread on the condition.
    func wait(timeout: TimeInterval = 60, _ predicate: ([ContentEvent], [ScanReport]) -> Bool) async -> Bool {
        await waitUntil(timeout: timeout) {
            condition.lock()
            defer { condition.unlock() }
            return predicate(events, reports)
        }
    }

    var all: [ContentEvent] {
        condition.lock()
        defer { condition.unlock() }
        return events
    }
}

@Suite("Watching the content folder with inotify", .serialized)
struct WatcherTests {
    /// Today, as a page's marker: new pages with it are news.
    var today: String { MarkerDate(instant: Date()).iso.prefix(10).description }

    func makeWatcher(_ fixture: ContentFixture, _ inbox: WatcherInbox) throws -> ContentWatcher {
        let scanner = try ContentScanner(site: fixture.site(), store: fixture.store, logger: ContentFixture.quiet)
        return ContentWatcher(scanner: scanner, logger: ContentFixture.quiet, onEvents: { inbox.add($0) }, onScan: { inbox.add($0) })
    }

    @Test("edits, saves by rename, new files and folders, deletions and moves are each seen")
    func lifecycle() async throws {
        var settings = ContentSettings()
        settings.debounce = 0.05
        settings.rescanInterval = 3600
        let fixture = try ContentFixture(settings: settings)
        try fixture.write("support/advocacy.txt", FixtureSite.advocacyServices)
        try fixture.write("money/grants.md", "---\ntitle: Grants\nlast_updated: 2024-03-12\n---\nSmall grants.\n")
        try fixture.write("money/help/benefits.md", "---\ntitle: Benefits\nlast_updated: 2024-03-12\n---\nBenefits.\n")
        let inbox = WatcherInbox()
        let watcher = try makeWatcher(fixture, inbox)
        let baseline = try watcher.start()
        defer { watcher.stop() }
        #expect(baseline.baseline)
        #expect(watcher.watchedFolders == 4)

        // An edit in place.
        try fixture.write("support/advocacy.txt", FixtureSite.advocacyServices.replacingOccurrences(of: "05/05/2022", with: "01/07/2024"))
        #expect(await inbox.wait { events, _ in events.contains { $0.path == "support/advocacy.txt" && $0.marker == "2024-07-01" } })

        // An editor's save: write a temporary file, then rename it over the page.
        try fixture.write(".grants.md.swp", "swap")
        try fixture.write("money/grants.md.tmp", "---\ntitle: Grants\nlast_updated: 2024-06-30\n---\nSmall grants, saved by rename.\n")
        try fixture.rename("money/grants.md.tmp", "money/grants.md")
        #expect(await inbox.wait { events, _ in events.contains { $0.path == "money/grants.md" && $0.marker == "2024-06-30" } })

        // A new post, and a new folder with a page in it.
        try fixture.write("blog/hello.md", "---\ntitle: Hello\ndate: 2024-06-01\n---\nFirst post.\n")
        try fixture.write("new/section/page.txt", "A new section\n\nLast updated: \(today)\n")
        #expect(await inbox.wait { events, _ in
            events.contains { $0.path == "blog/hello.md" && $0.kind == .postPublished }
                && events.contains { $0.path == "new/section/page.txt" && $0.kind == .pageUpdated }
        })

        // A deletion: recorded as removed, no event.
        let before = inbox.all.count
        try fixture.remove("support/advocacy.txt")
        #expect(await inbox.wait { _, reports in reports.contains { $0.removed.contains("support/advocacy.txt") } })
        #expect(try fixture.page("support/advocacy.txt")?.status == .removed)

        // A folder moved: its pages keep their history (no event) and it stays watched.
        try fixture.move("money/help", "support/help")
        #expect(await inbox.wait { _, reports in reports.contains { $0.removed.contains("money/help/benefits.md") } })
        #expect(await inbox.wait { _, _ in (try? fixture.page("support/help/benefits.md"))??.status == .current })
        try fixture.write("support/help/benefits.md", "---\ntitle: Benefits\nlast_updated: 2024-07-01\n---\nBenefits, moved and edited.\n")
        #expect(await inbox.wait { events, _ in events.contains { $0.path == "support/help/benefits.md" && $0.marker == "2024-07-01" } })
        #expect(inbox.all.count == before + 1)
        #expect(try fixture.events().count == inbox.all.count)
    }

    @Test("a half-written file is read once, after it goes quiet")
    func debounced() async throws {
        var settings = ContentSettings()
        // Far longer than the gap between the two writes below, even on a loaded machine.
        settings.debounce = 2
        settings.rescanInterval = 3600
        let fixture = try ContentFixture(settings: settings)
        try fixture.write("page.txt", "Page\n\nLast updated: 1 May 2024\n")
        let inbox = WatcherInbox()
        let watcher = try makeWatcher(fixture, inbox)
        try watcher.start()
        defer { watcher.stop() }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: fixture.dir.path("site/page.txt")))
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: Data("Page\n\nLast upd".utf8))
        try handle.write(contentsOf: Data("ated: 2 July 2024\n".utf8))
        try handle.close()
        #expect(await inbox.wait { events, _ in !events.isEmpty })
        #expect(inbox.all.map(\.marker) == ["2024-07-02"])
    }

    @Test("a rescan on request finds what happened while nothing watched")
    func requestedRescan() async throws {
        var settings = ContentSettings()
        settings.debounce = 0.05
        let fixture = try ContentFixture(settings: settings)
        try fixture.write("page.txt", "Page\n\nLast updated: 1 May 2024\n")
        let inbox = WatcherInbox()
        let watcher = try makeWatcher(fixture, inbox)
        try watcher.start()
        watcher.stop()
        try fixture.write("page.txt", "Page\n\nLast updated: 2 May 2024\n")
        try watcher.start()
        defer { watcher.stop() }
        #expect(try fixture.events().map(\.marker) == ["2024-05-02"])
        try fixture.write("blog/post.md", "---\ntitle: P\ndate: 2024-05-01\n---\n")
        watcher.requestRescan()
        #expect(await inbox.wait { events, _ in events.contains { $0.path == "blog/post.md" } })
    }
}
