import Foundation
import Testing
@testable import NewsletterContent

@Suite("Sitemap parsing")
struct SitemapDocumentTests {
    private func parse(_ text: String, limits: WebDocumentLimits = .init()) throws -> SitemapDocument {
        try SitemapDocument.parse(WebDocumentTestSupport.bytes(text), limits: limits)
    }

    @Test("a Yoast sitemap index with an xsl stylesheet lists its child sitemaps with dates")
    func yoastIndex() throws {
        let document = try parse(SitemapFixtures.yoastIndex)
        #expect(document.childSitemaps == [
            "https://carers.example.org.uk/post-sitemap.xml",
            "https://carers.example.org.uk/page-sitemap.xml",
            "https://carers.example.org.uk/category-sitemap.xml",
        ])
        guard case .index(let entries) = document.content else {
            Issue.record("expected an index")
            return
        }
        #expect(entries[1].lastmod == WebDocumentTestSupport.date("2025-04-30T15:02:11Z"))
        #expect(entries[1].lastmodText == "2025-04-30T15:02:11+00:00")
        #expect(document.warnings.isEmpty)
    }

    @Test("a Yoast post sitemap yields page URLs and never image URLs")
    func yoastPosts() throws {
        let document = try parse(SitemapFixtures.yoastPostSitemap)
        guard case .urls(let entries) = document.content else {
            Issue.record("expected a urlset")
            return
        }
        #expect(entries.map(\.loc) == [
            "https://carers.example.org.uk/news/",
            "https://carers.example.org.uk/carers-week-2025-whats-on/",
            "https://carers.example.org.uk/new-respite-grants-for-carers/",
        ])
        #expect(entries[2].lastmod == WebDocumentTestSupport.date("2025-03-02T10:15:40Z"))
        #expect(document.childSitemaps.isEmpty)
        #expect(document.warnings.isEmpty)
    }

    @Test("WordPress core sitemaps without lastmod give entries with nil dates and no warnings")
    func wordpressCore() throws {
        let index = try parse(SitemapFixtures.wordpressCoreIndex)
        #expect(index.childSitemaps.count == 4)
        #expect(index.entries.allSatisfy { $0.lastmod == nil && $0.lastmodText == nil })
        #expect(index.warnings.isEmpty)

        let posts = try parse(SitemapFixtures.wordpressCorePosts)
        #expect(posts.entries.count == 3)
        #expect(posts.entries.last?.lastmod == WebDocumentTestSupport.date("2024-12-03T10:00:00Z"))
    }

    @Test("Drupal simple_sitemap hreflang alternates and images are ignored and a CDATA loc is read")
    func drupal() throws {
        let document = try parse(SitemapFixtures.drupalSimpleSitemap)
        #expect(document.entries.map(\.loc) == [
            "https://www.council.example.gov.uk/",
            "https://www.council.example.gov.uk/adult-social-care/support-carers",
            "https://www.council.example.gov.uk/news/carers-assessment-changes",
        ])
        #expect(document.entries[0].lastmod == WebDocumentTestSupport.date("2025-05-01T10:30:25Z"))
    }

    @Test("an Umbraco loc spread over lines is trimmed and a zone-less lastmod is read as UTC")
    func umbraco() throws {
        let document = try parse(SitemapFixtures.umbraco)
        #expect(document.entries.map(\.loc) == [
            "https://www.carerscentre.example.org/get-support/young-carers/",
            "https://www.carerscentre.example.org/news/carers-rights-day/",
        ])
        #expect(document.entries[0].lastmod == WebDocumentTestSupport.date("2025-05-12T14:03:21Z"))
        #expect(document.entries[1].lastmod == WebDocumentTestSupport.date("2024-11-21T09:30:00Z"))
    }

    @Test("Squarespace entity-escaped locs are decoded and year-month lastmods are read")
    func squarespace() throws {
        let document = try parse(SitemapFixtures.squarespace)
        #expect(document.entries.map(\.loc) == [
            "https://www.carersgroup.example/blog/2025/5/1/coffee-morning",
            "https://www.carersgroup.example/events?view=calendar&month=06-2025",
        ])
        #expect(document.entries[0].lastmod == WebDocumentTestSupport.date("2025-05-01T00:00:00Z"))
        #expect(document.entries[1].lastmod == WebDocumentTestSupport.date("2025-05-01T00:00:00Z"))
    }

    @Test("a Wix sitemap index is recognised as an index")
    func wix() throws {
        let document = try parse(SitemapFixtures.wixIndex)
        #expect(document.childSitemaps.last == "https://www.carersgroup.example/event-pages-sitemap.xml")
        #expect(document.entries.last?.lastmod == WebDocumentTestSupport.date("2025-05-09T00:00:00Z"))
    }

    @Test("Google News extension elements do not leak into the entry")
    func news() throws {
        let document = try parse(SitemapFixtures.news)
        #expect(document.entries == [
            SitemapEntry(loc: "https://carers.example.org.uk/news/carers-allowance-rise/", lastmod: nil, lastmodText: nil),
        ])
    }

    @Test("a sitemap whose namespace is bound to a prefix is read by local names")
    func prefixed() throws {
        let document = try parse(SitemapFixtures.prefixed)
        #expect(document.entries.map(\.loc) == ["https://carers.example.org.uk/a", "https://carers.example.org.uk/b"])
        #expect(document.entries[0].lastmod == WebDocumentTestSupport.date("2025-01-02T00:00:00Z"))
    }

    @Test("a root bound to a prefix with unprefixed children is still read, and stray extension locs are not")
    func mixedPrefixes() throws {
        let text = """
        <sm:urlset xmlns:sm="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
        <url><image:loc>https://x.example/img.png</image:loc><loc>https://x.example/page</loc></url>
        </sm:urlset>
        """
        #expect(try parse(text).entries.map(\.loc) == ["https://x.example/page"])
    }

    @Test("a gzip-compressed sitemap is detected by its magic bytes and read")
    func gzipped() throws {
        let compressed = WebDocumentTestSupport.compress(WebDocumentTestSupport.bytes(SitemapFixtures.yoastPostSitemap))
        let document = try SitemapDocument.parse(compressed)
        #expect(document.entries.count == 3)
    }

    @Test("a truncated .xml.gz sitemap fails as corrupt")
    func truncatedGzip() {
        let compressed = WebDocumentTestSupport.compress(WebDocumentTestSupport.bytes(SitemapFixtures.yoastPostSitemap))
        #expect {
            try SitemapDocument.parse(Array(compressed.dropLast(30)))
        } throws: { error in
            guard case WebDocumentError.corrupt = error else { return false }
            return true
        }
    }

    @Test("an unreadable lastmod gives a nil date, keeps the text and adds one warning, never an error")
    func badLastmod() throws {
        let text = """
        <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
        <url><loc>https://x.example/a</loc><lastmod>last Tuesday</lastmod></url>
        <url><loc>https://x.example/b</loc><lastmod>2025-13-45</lastmod></url>
        <url><loc>https://x.example/c</loc><lastmod>2025-02-03</lastmod></url>
        </urlset>
        """
        let document = try parse(text)
        #expect(document.entries.count == 3)
        #expect(document.entries[0].lastmod == nil)
        #expect(document.entries[0].lastmodText == "last Tuesday")
        #expect(document.entries[1].lastmod == nil)
        #expect(document.entries[2].lastmod != nil)
        #expect(document.warnings == ["2 lastmod values could not be read, e.g. \"last Tuesday\""])
    }

    @Test("url entries without a loc are skipped with a warning")
    func missingLoc() throws {
        let text = """
        <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
        <url><lastmod>2025-01-01</lastmod></url><url><loc>   </loc></url><url><loc>https://x.example/</loc></url>
        </urlset>
        """
        let document = try parse(text)
        #expect(document.entries.map(\.loc) == ["https://x.example/"])
        #expect(document.warnings == ["2 <url> entries had no <loc> and were skipped"])
    }

    @Test("entries beyond maxEntries are dropped with a warning rather than failing")
    func entryLimit() throws {
        let urls = (1...8).map { "<url><loc>https://x.example/\($0)</loc></url>" }.joined()
        let text = "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\(urls)</urlset>"
        let document = try parse(text, limits: WebDocumentLimits(maxEntries: 5))
        #expect(document.entries.count == 5)
        #expect(document.entries.last?.loc == "https://x.example/5")
        #expect(document.warnings.count == 1)
        #expect(document.warnings.first?.contains("more than 5 entries") == true)
    }

    @Test("the default limit keeps 50,000 URLs of a 50,001-URL sitemap")
    func protocolLimit() throws {
        var text = "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"
        for index in 0...50_000 {
            text += "<url><loc>https://x.example/p/\(index)</loc><lastmod>2025-01-01</lastmod></url>"
        }
        text += "</urlset>"
        let document = try parse(text)
        #expect(document.entries.count == 50_000)
        #expect(document.warnings.count == 1)
    }

    @Test("a loc longer than maxFieldBytes is cut with a warning")
    func fieldLimit() throws {
        let long = "https://x.example/" + String(repeating: "é", count: 100)
        let text = "<urlset><url><loc>\(long)</loc></url></urlset>"
        let document = try parse(text, limits: WebDocumentLimits(maxFieldBytes: 51))
        #expect(document.entries.first?.loc == "https://x.example/" + String(repeating: "é", count: 16))
        #expect(document.warnings == ["1 field was longer than 51 bytes and was cut, e.g. \"\(document.entries[0].loc)\""])
    }

    @Test("an HTML login page served as a sitemap is reported as not a sitemap, naming the page")
    func loginPage() {
        #expect(throws: WebDocumentError.notASitemap(
            "the server sent an HTML page titled \"Log In ‹ Carers Centre — WordPress\"")) {
            try parse(SitemapFixtures.wordpressLoginPage)
        }
        #expect(throws: WebDocumentError.notASitemap("the server sent an HTML page titled \"Page not found\"")) {
            try parse(SitemapFixtures.xhtmlPage)
        }
        #expect(throws: WebDocumentError.notASitemap("the server sent an HTML page")) {
            try parse("<!doctype html><HTML><body>hi")
        }
    }

    @Test("well-formed XML with another root element is not a sitemap")
    func wrongRoot() {
        #expect(throws: WebDocumentError.notASitemap("its root element is <rss>, not <urlset> or <sitemapindex>")) {
            try parse(FeedFixtures.wordpressRSS)
        }
    }

    @Test("empty and plain-text responses are not sitemaps")
    func nonXML() {
        #expect(throws: WebDocumentError.notASitemap("the file is empty")) { try parse("  \n ") }
        #expect(throws: WebDocumentError.notASitemap("the content is not XML; it begins \"404 Not Found\"")) {
            try parse("404 Not Found")
        }
    }

    @Test("invalid XML is reported with the line of the fault")
    func invalidXML() {
        let text = """
        <?xml version="1.0" encoding="UTF-8"?>
        <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
          <url><loc>https://x.example/a</loc></url>
          <url><loc>https://x.example/b</lo></url>
        </urlset>
        """
        #expect(throws: WebDocumentError.invalidXML("line 4: a closing tag does not match its opening tag")) {
            try parse(text)
        }
        let error = WebDocumentError.invalidXML("line 4: a closing tag does not match its opening tag")
        #expect(error.reason == "the file is not valid XML (line 4: a closing tag does not match its opening tag)")
    }

    @Test("an unescaped ampersand and a cut-off document are invalid XML")
    func otherInvalidXML() {
        #expect {
            try parse("<urlset>\n<url><loc>https://x.example/?a=1&b=2</loc></url></urlset>")
        } throws: { error in
            guard case WebDocumentError.invalidXML(let detail) = error else { return false }
            return detail.hasPrefix("line 2:")
        }
        #expect(throws: WebDocumentError.invalidXML("line 1: the document ends before all its tags are closed")) {
            try parse("<urlset><url><loc>https://x.example/a</loc></url><url><loc>https://x.exa")
        }
    }

    @Test("a billion-laughs document fails fast without expanding entities")
    func billionLaughs() {
        var text = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n"
        text += " <!ENTITY lol1 \"" + String(repeating: "&lol;", count: 10) + "\">\n"
        for level in 2...9 {
            text += " <!ENTITY lol\(level) \"" + String(repeating: "&lol\(level - 1);", count: 10) + "\">\n"
        }
        text += "]>\n<urlset><url><loc>&lol9;</loc></url></urlset>"
        let start = Date()
        #expect {
            try parse(text)
        } throws: { error in
            guard case WebDocumentError.invalidXML(let detail) = error else { return false }
            return detail == "line 14: an undefined entity is used"
        }
        #expect(Date().timeIntervalSince(start) < 1)
    }

    @Test("external entities are never resolved, so local files cannot leak into a loc")
    func externalEntity() {
        let text = """
        <?xml version="1.0"?>
        <!DOCTYPE urlset [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
        <urlset><url><loc>https://x.example/&xxe;</loc></url></urlset>
        """
        #expect(throws: WebDocumentError.invalidXML("line 3: an undefined entity is used")) { try parse(text) }
    }

    @Test("a harmless external DOCTYPE is ignored and the sitemap still reads")
    func harmlessDoctype() throws {
        let text = """
        <?xml version="1.0"?>
        <!DOCTYPE urlset PUBLIC "-//Sitemaps//DTD 0.9//EN" "http://www.sitemaps.org/dtd/sitemap.dtd">
        <urlset><url><loc>https://x.example/a</loc></url></urlset>
        """
        #expect(try parse(text).entries.map(\.loc) == ["https://x.example/a"])
    }

    @Test("input larger than maxBytes is refused before parsing")
    func oversized() {
        let text = SitemapFixtures.yoastPostSitemap
        #expect(throws: WebDocumentError.tooLarge(limit: 1_000)) {
            try parse(text, limits: WebDocumentLimits(maxBytes: 1_000))
        }
        #expect(WebDocumentError.tooLarge(limit: 50_000_000).reason
            == "the file is larger than the 50 MB allowed once decompressed")
    }

    @Test("a UTF-16 sitemap with a byte order mark is read")
    func utf16() throws {
        let text = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><urlset><url><loc>https://x.example/caf\u{E9}</loc></url></urlset>"
        var bytes: [UInt8] = [0xFF, 0xFE]
        for unit in text.utf16 { bytes += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        #expect(try SitemapDocument.parse(bytes).entries.map(\.loc) == ["https://x.example/café"])
    }

    @Test("a 50,000-URL sitemap parses in reasonable time")
    func performance() throws {
        var text = SitemapFixtures.yoastPostSitemap.replacingOccurrences(of: "</urlset>", with: "")
        for index in 0..<49_997 {
            text += "<url><loc>https://carers.example.org.uk/p/\(index)/</loc><lastmod>2025-01-01T10:00:00+00:00</lastmod></url>\n"
        }
        text += "</urlset>"
        let start = Date()
        let document = try parse(text)
        #expect(document.entries.count == 50_000)
        #expect(Date().timeIntervalSince(start) < 20)
    }
}
