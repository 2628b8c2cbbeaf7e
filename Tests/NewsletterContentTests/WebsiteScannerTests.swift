import Foundation
import NewsletterCore
import NewsletterStoreTestSupport
import NewsletterTestSupport
import Testing

@testable import NewsletterContent

/// A small CMS-style site served by the scripted web server (validators, 304s, and faults on
/// demand through faults.json), watched through its sitemap and its RSS feed.
final class WebsiteFixture: @unchecked Sendable {
    let dir: TemporaryDirectory
    let store: Store
    let server: ScriptedHTTPServer
    private let lock = NSLock()
    private var time = Date(timeIntervalSince1970: 1_719_828_000)  // 1 July 2024, 10:00 UTC

    var docs: String { dir.path("docs") }
    var base: String { server.baseURL }

    static func make() async throws -> WebsiteFixture {
        let dir = TemporaryDirectory("website")
        try FileManager.default.createDirectory(atPath: dir.path("docs/blog"), withIntermediateDirectories: true)
        let server = try await ScriptedHTTPServer(in: dir, docs: dir.path("docs"))
        return try WebsiteFixture(dir: dir, server: server)
    }

    private init(dir: TemporaryDirectory, server: ScriptedHTTPServer) throws {
        self.dir = dir
        self.server = server
        store = try TestDatabase.open(path: dir.path("db/newsletter.db"), busyTimeout: 5)
    }

    var now: Date {
        lock.lock()
        defer { lock.unlock() }
        return time
    }

    func advance(days: Double) {
        lock.lock()
        time += days * 86400
        lock.unlock()
    }

    func scanner(timeout: TimeInterval = 30, pages: [String] = []) -> WebsiteScanner {
        var settings = WebsiteSettings()
        settings.delay = 0
        settings.perHost = 4
        settings.timeout = timeout
        settings.maxPageSize = 1 << 20
        let sources = WebsiteSources(
            sitemaps: [URL(string: base + "/sitemap.xml")!], feeds: [URL(string: base + "/blog/feed.xml")!],
            pages: pages.map { URL(string: base + $0)! })
        let site = WebsiteSite(baseURL: base, sources: sources, settings: settings, contact: "web@carers.example.org")
        return WebsiteScanner(site: site, store: store, now: { [self] in now })
    }

    func scan(timeout: TimeInterval = 30, pages: [String] = []) async throws -> ScanReport {
        let scanner = scanner(timeout: timeout, pages: pages)
        return try await offPool { try scanner.scan() }
    }

    func write(_ path: String, _ text: String) throws {
        let file = dir.path("docs" + path)
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: file, atomically: true, encoding: .utf8)
    }

    /// A council-style page: navigation with dates in it, a cookie banner, the content, the
    /// visible "last updated" line, a footer.
    func page(_ path: String, title: String, body: String, updated: String?) throws {
        try write(path, """
            <!doctype html><html lang="en-GB"><head><title>\(title) | Peak District Carers</title></head>
            <body><div class="cookie-banner"><p>We use cookies to improve your experience. Last updated 1 January 2024.</p></div>
            <header><nav><ul><li><a href="/news">News: Carers Week, 3 June 2024</a></li></ul></nav></header>
            <main id="main-content"><h1>\(title)</h1><p>\(body)</p>
            \(updated.map { "<p>This information was last updated on \($0)</p>" } ?? "")</main>
            <footer><p>© 2024 Peak District Carers. Registered charity 1234567.</p></footer></body></html>
            """)
    }

    func sitemap(_ entries: [(String, String?)]) throws {
        let urls = entries.map { path, lastmod in
            "<url><loc>\(base)\(path)</loc>\(lastmod.map { "<lastmod>\($0)</lastmod>" } ?? "")</url>"
        }
        try write("/sitemap.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"
            + urls.joined() + "</urlset>")
    }

    func feed(_ posts: [(path: String, title: String, date: String)]) throws {
        let items = posts.map { post in
            "<item><title>\(post.title)</title><link>\(base)\(post.path)</link><guid isPermaLink=\"true\">\(base)\(post.path)</guid>"
                + "<pubDate>\(post.date)</pubDate><description><![CDATA[<p>\(post.title): read more on our blog.</p>]]></description></item>"
        }
        try write("/blog/feed.xml", "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Blog</title><link>\(base)/blog/</link>"
            + items.joined() + "</channel></rss>")
    }

    func fault(_ faults: [String: String]) throws {
        let data = try JSONSerialization.data(withJSONObject: faults)
        try write("/faults.json", String(decoding: data, as: UTF8.self))
    }

    /// The site at its baseline: three pages (one without a lastmod) and two posts.
    func standardSite() throws {
        try page("/advocacy", title: "Advocacy services", body: "An advocate helps you have your say.", updated: "05/05/2022")
        try page("/assessment", title: "Carer's assessment", body: "Ask the council for an assessment of your needs.", updated: "12/03/2024")
        try page("/grants", title: "Grants for carers", body: "Small grants of up to £300 towards a break.", updated: "03/03/2024")
        try sitemap([("/advocacy", "2022-05-05"), ("/assessment", nil), ("/grants", "2024-03-03")])
        try feed([
            ("/blog/coffee-morning", "Coffee morning in Bakewell", "Mon, 10 Jun 2024 09:00:00 +0000"),
            ("/blog/carers-week", "Carers Week 2024", "Mon, 03 Jun 2024 09:00:00 +0000"),
        ])
    }

    func requested(_ path: String) -> Int {
        server.requests().filter { ($0["path"] as? String) == path }.count
    }

    func page(at path: String) throws -> ContentPage? {
        try store.read { tx in try tx.contentPage(path: base + path) }
    }
}

@Suite("Watching a website through its sitemap and feed")
struct WebsiteScannerTests {
    @Test("the first scan is the baseline: everything is recorded with its date and title, nothing is announced")
    func baseline() async throws {
        let site = try await WebsiteFixture.make()
        try site.standardSite()
        let report = try await site.scan()
        #expect(report.baseline)
        #expect(report.events.isEmpty)
        #expect(report.pages == 3)
        #expect(report.posts == 2)
        let advocacy = try #require(try site.page(at: "/advocacy"))
        #expect(advocacy.title == "Advocacy services")
        #expect(advocacy.lastUpdated == "2022-05-05")
        #expect(advocacy.summary == "An advocate helps you have your say.")
    }

    @Test("a scan where nothing changed fetches the sitemap and feed, asks conditionally for the page without a lastmod, and nothing else")
    func unchangedCostsLittle() async throws {
        let site = try await WebsiteFixture.make()
        try site.standardSite()
        _ = try await site.scan()
        site.advance(days: 1)
        let report = try await site.scan()
        #expect(report.events.isEmpty)
        #expect(site.requested("/advocacy") == 1)
        #expect(site.requested("/grants") == 1)
        #expect(site.requested("/assessment") == 2)
        let conditional = site.server.requests().last { ($0["path"] as? String) == "/assessment" }
        #expect(conditional?["if_none_match"] as? String != nil)
    }

    @Test("a staff edit moves a page's date and its lastmod: one update; a new post in the feed: one publication")
    func editAndNewPost() async throws {
        let site = try await WebsiteFixture.make()
        try site.standardSite()
        _ = try await site.scan()
        site.advance(days: 1)
        try site.page("/advocacy", title: "Advocacy services", body: "An advocate helps you have your say.", updated: "02/07/2024")
        try site.sitemap([("/advocacy", "2024-07-02"), ("/assessment", nil), ("/grants", "2024-03-03")])
        try site.feed([
            ("/blog/respite-grants", "Respite grants are open again", "Tue, 02 Jul 2024 08:00:00 +0000"),
            ("/blog/coffee-morning", "Coffee morning in Bakewell", "Mon, 10 Jun 2024 09:00:00 +0000"),
            ("/blog/carers-week", "Carers Week 2024", "Mon, 03 Jun 2024 09:00:00 +0000"),
        ])
        let report = try await site.scan()
        let kinds = report.events.map { "\($0.kind.rawValue) \($0.url)" }.sorted()
        #expect(kinds == ["page_updated \(site.base)/advocacy", "post_published \(site.base)/blog/respite-grants"])
        #expect(report.events.first { $0.kind == .pageUpdated }?.marker == "2024-07-02")
        // Scanned again, nothing new.
        site.advance(days: 1)
        #expect(try await site.scan().events.isEmpty)
    }

    @Test("every fault leaves the page as it was and announces nothing, even when its lastmod moved")
    func faultsAnnounceNothing() async throws {
        let site = try await WebsiteFixture.make()
        try site.standardSite()
        _ = try await site.scan()
        let faults = ["/status/500", "/status/404", "/login", "/not-found-200", "/big", "/bomb", "/loop", "/to-file", "/png", "/slow"]
        for (round, fault) in faults.enumerated() {
            // The date moved in the sitemap, so the page is fetched; what comes back is a fault.
            try site.sitemap([("/advocacy", "2024-07-0\(round % 9 + 1)"), ("/assessment", nil), ("/grants", "2024-03-03")])
            try site.fault(["/advocacy": fault])
            site.advance(days: 2)
            // Listed as an explicit page too: on a loaded machine the sitemap may time out
            // with the slow round's short timeout, and the page must still be tried.
            let report = try await site.scan(timeout: fault == "/slow" ? 5 : 30, pages: ["/advocacy"])
            #expect(report.events.isEmpty, "\(fault)")
            #expect(report.removed.isEmpty, "\(fault)")
            #expect(report.warnings.contains { $0.path == site.base + "/advocacy" }, "\(fault): \(report.warnings)")
            let advocacy = try #require(try site.page(at: "/advocacy"))
            #expect(advocacy.lastUpdated == "2022-05-05", "\(fault)")
            #expect(advocacy.status == .current, "\(fault)")
        }
        let resource = try #require(try site.store.read { tx in try tx.webResources()[site.base + "/advocacy"] })
        #expect(resource.failures == faults.count)
        #expect(resource.lastError != nil)
    }

    @Test("a sitemap that fails, is not XML, or lists only itself removes nothing and announces nothing")
    func sitemapFaults() async throws {
        let site = try await WebsiteFixture.make()
        try site.standardSite()
        _ = try await site.scan()
        for fault in ["/status/503", "/invalid-xml", "/sitemap-self.xml", "/login", "/png", "/bomb"] {
            try site.fault(["/sitemap.xml": fault])
            for _ in 0..<3 {
                site.advance(days: 1)
                let report = try await site.scan()
                #expect(report.events.isEmpty, "\(fault)")
                #expect(report.removed.isEmpty, "\(fault)")
            }
        }
        #expect(try site.page(at: "/grants")?.status == .current)
    }

    @Test("a page missing from the sitemap once is kept; missing twice in a row it is removed, and back later it is not new")
    func goneAfterTwoScans() async throws {
        let site = try await WebsiteFixture.make()
        try site.standardSite()
        _ = try await site.scan()
        try site.sitemap([("/advocacy", "2022-05-05"), ("/assessment", nil)])
        site.advance(days: 1)
        #expect(try await site.scan().removed.isEmpty)
        site.advance(days: 1)
        #expect(try await site.scan().removed == [site.base + "/grants"])
        try site.sitemap([("/advocacy", "2022-05-05"), ("/assessment", nil), ("/grants", "2024-03-03")])
        site.advance(days: 1)
        let back = try await site.scan()
        #expect(back.events.isEmpty)
        #expect(try site.page(at: "/grants")?.status == .current)
    }

    @Test("a feed entry dated in the future is held until its date")
    func futurePostHeld() async throws {
        let site = try await WebsiteFixture.make()
        try site.standardSite()
        _ = try await site.scan()
        try site.feed([
            ("/blog/summer-picnic", "Summer picnic", "Mon, 08 Jul 2024 09:00:00 +0000"),
            ("/blog/coffee-morning", "Coffee morning in Bakewell", "Mon, 10 Jun 2024 09:00:00 +0000"),
        ])
        site.advance(days: 1)
        let early = try await site.scan()
        #expect(early.events.isEmpty)
        site.advance(days: 7)
        let due = try await site.scan()
        #expect(due.events.map(\.url) == [site.base + "/blog/summer-picnic"])
    }

    @Test("robots.txt is honoured: a disallowed page is not fetched, and the rest still are")
    func robots() async throws {
        let site = try await WebsiteFixture.make()
        try site.standardSite()
        try site.write("/robots.txt", "User-agent: *\nDisallow: /grants\n")
        let report = try await site.scan()
        #expect(site.requested("/grants") == 0)
        #expect(site.requested("/advocacy") == 1)
        #expect(report.pages == 2)
    }
}
