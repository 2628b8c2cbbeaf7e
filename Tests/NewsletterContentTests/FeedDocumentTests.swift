import Foundation
import Testing
@testable import NewsletterContent

@Suite("Feed parsing")
struct FeedDocumentTests {
    private func parse(_ text: String, baseURL: String? = nil,
                       limits: WebDocumentLimits = .feed) throws -> FeedDocument {
        try FeedDocument.parse(WebDocumentTestSupport.bytes(text), baseURL: baseURL.flatMap(URL.init(string:)), limits: limits)
    }

    @Test("a WordPress RSS feed gives entries with guid ids, decoded titles and dates")
    func wordpress() throws {
        let feed = try parse(FeedFixtures.wordpressRSS)
        #expect(feed.format == .rss)
        #expect(feed.title == "Carers Centre – Supporting unpaid carers")
        #expect(feed.entries.count == 3)
        let first = try #require(feed.entries.first)
        #expect(first.id == "https://carers.example.org.uk/?p=4812")
        #expect(first.link == "https://carers.example.org.uk/carers-week-2025-whats-on/")
        #expect(first.title == "Carers Week 2025: what’s on near you")
        #expect(first.published == WebDocumentTestSupport.date("2025-05-14T09:12:33Z"))
        #expect(first.updated == nil)
        #expect(feed.warnings.isEmpty)
    }

    @Test("the WordPress description is preferred, stripped of HTML and of the 'appeared first on' footer")
    func wordpressSummary() throws {
        let feed = try parse(FeedFixtures.wordpressRSS)
        #expect(feed.entries[0].summary == "Carers Week runs from 9 to 15 June. Join us for coffee mornings, "
            + "a wellbeing walk & free legal advice sessions across the county.")
    }

    @Test("a long description is cut near 300 characters at a sentence end and marked with an ellipsis")
    func longSummary() throws {
        let summary = try #require(try parse(FeedFixtures.wordpressRSS).entries[1].summary)
        #expect(summary.count <= 302)
        #expect(summary.hasSuffix(". …"))
        #expect(summary.hasPrefix("Unpaid carers in Exampleshire can now apply for a one-off respite grant of up to £300"))
        #expect(!summary.contains("[…]"))
    }

    @Test("an empty description falls back to content:encoded with styles and comments removed")
    func contentFallback() throws {
        let feed = try parse(FeedFixtures.wordpressRSS)
        #expect(feed.entries[2].summary == "Opening hours We close at noon on 24 December and reopen on 2 January.")
        #expect(feed.entries[2].published == WebDocumentTestSupport.date("2024-12-03T10:00:00Z"))
    }

    @Test("a Blogger Atom feed uses the alternate link, not replies, edit or self")
    func blogger() throws {
        let feed = try parse(FeedFixtures.bloggerAtom)
        #expect(feed.format == .atom)
        #expect(feed.title == "Young Carers Blog")
        #expect(feed.entries.count == 2)
        let first = feed.entries[0]
        #expect(first.id == "tag:blogger.com,1999:blog-1234567890123456789.post-9876543210")
        #expect(first.link == "https://youngcarers-example.blogspot.com/2025/05/summer-trip.html")
        #expect(first.summary == "Our summer trip is on Saturday 26 July. The coach leaves at 9am.")
        #expect(first.published == WebDocumentTestSupport.date("2025-05-10T07:00:00.001Z"))
        #expect(first.updated == WebDocumentTestSupport.date("2025-05-10T07:01:22.498Z"))
    }

    @Test("relative Atom links are resolved against the feed address and xml:base")
    func relativeLinks() throws {
        let feed = try parse(FeedFixtures.relativeAtom, baseURL: "https://carers.example.org.uk/feeds/news.atom")
        #expect(feed.title == "News & events")
        #expect(feed.entries[0].link == "https://carers.example.org.uk/news/respite-grants-open")
        #expect(feed.entries[1].link == "https://partner.example/blog/post-2")
    }

    @Test("without a base address relative links are returned as written")
    func relativeLinksWithoutBase() throws {
        let feed = try parse(FeedFixtures.relativeAtom)
        #expect(feed.entries[0].link == "/news/respite-grants-open")
        #expect(feed.entries[1].link == "https://partner.example/blog/post-2")
    }

    @Test("Atom text types are honoured: xhtml gives its text, html is stripped, text is kept literally")
    func atomTextTypes() throws {
        let feed = try parse(FeedFixtures.relativeAtom)
        #expect(feed.entries[0].summary == "Apply by 30 June. Grants of up to £300 & more.")
        #expect(feed.entries[1].title == "Partner news")
        #expect(feed.entries[1].summary == "Plain <b> text stays as written.")
        #expect(feed.entries[1].published == WebDocumentTestSupport.date("2025-03-20T09:00:00Z"))
        #expect(feed.entries[1].updated == WebDocumentTestSupport.date("2025-03-21T09:00:00Z"))
    }

    @Test("an RSS 1.0 RDF feed reads items beside the channel, with rdf:about ids and dc:date")
    func rdf() throws {
        let feed = try parse(FeedFixtures.rdf)
        #expect(feed.format == .rdf)
        #expect(feed.title == "Carers Network")
        #expect(feed.entries == [FeedEntry(
            id: "https://www.carersnetwork.example/news/1",
            link: "https://www.carersnetwork.example/news/1",
            title: "AGM 2025",
            summary: "Our AGM is on 4 March.",
            published: WebDocumentTestSupport.date("2025-02-04T10:00:00Z"),
            updated: nil)])
    }

    @Test("a LocalGov Drupal feed with entity-escaped HTML gives clean text")
    func drupal() throws {
        let feed = try parse(FeedFixtures.drupalRSS)
        let entry = try #require(feed.entries.first)
        #expect(entry.id == "1432 at https://www.council.example.gov.uk")
        #expect(entry.summary == "From 1 May, carers' assessments can be booked online.")
        #expect(entry.published == WebDocumentTestSupport.date("2025-04-22T08:00:00Z"))
    }

    @Test("a Wix feed with CDATA titles and GMT dates is read")
    func wix() throws {
        let feed = try parse(FeedFixtures.wixRSS)
        #expect(feed.title == "Blog | Carers Group")
        #expect(feed.entries.first?.title == "Coffee & chat returns")
        #expect(feed.entries.first?.published == WebDocumentTestSupport.date("2025-05-02T10:21:04Z"))
    }

    @Test("items without guids get ids from the link, else from title and date; empty items are dropped")
    func withoutGuids() throws {
        let feed = try parse(FeedFixtures.sloppyRSS, baseURL: "https://carershub.example/feed")
        #expect(feed.title == "Carers Hub")
        #expect(feed.entries.map(\.id) == [
            "https://carershub.example/whats-on/drop-in",
            "Save the date: Carers Rights Day 2031|2031-11-20T09:00:00Z",
            "Volunteers wanted",
            "https://carershub.example/p/42",
        ])
        #expect(feed.entries[0].title == "Drop-in – every Tuesday")
        #expect(feed.entries[0].published == WebDocumentTestSupport.date("2024-12-03T10:00:00Z"))
        #expect(feed.entries[3].link == "https://carershub.example/p/42")
        #expect(feed.entries[3].published == nil)
        #expect(feed.warnings.contains("2 entries had no id or link, so one was made from their title and date"))
        #expect(feed.warnings.contains("1 entry had no id, link or title and was skipped"))
        #expect(feed.warnings.contains("1 date could not be read, e.g. \"sometime soon\""))
    }

    @Test("a future publication date is reported as written")
    func futureDate() throws {
        let feed = try parse(FeedFixtures.sloppyRSS)
        #expect(feed.entries[1].published == WebDocumentTestSupport.date("2031-11-20T09:00:00Z"))
    }

    @Test("an RSS 0.91 feed with the Netscape DOCTYPE and undeclared HTML entities is read")
    func rss091() throws {
        let feed = try parse(FeedFixtures.rss091)
        #expect(feed.entries.first?.title == "Café meet-up")
        #expect(feed.entries.first?.summary == "See you there ©")
        #expect(feed.entries.first?.id == "http://old.example/cafe")
    }

    @Test("an ISO-8859-1 feed is decoded using its declared encoding")
    func latin1() throws {
        var bytes = WebDocumentTestSupport.bytes("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss><channel><item><title>Caf")
        bytes.append(0xE9)
        bytes += WebDocumentTestSupport.bytes(" club</title><link>https://x.example/</link></item></channel></rss>")
        #expect(try FeedDocument.parse(bytes).entries.first?.title == "Café club")
    }

    @Test("blank lines echoed before the XML declaration are tolerated with a warning")
    func leadingBlankLines() throws {
        let feed = try parse("\n\n" + FeedFixtures.wixRSS)
        #expect(feed.entries.count == 1)
        #expect(feed.warnings == ["blank lines before the XML declaration were ignored (strict feed readers reject this)"])
        let broken = "\n<?xml version=\"1.0\"?>\n<rss>\n<channel>\n</chanel></rss>"
        #expect(throws: WebDocumentError.invalidXML("line 5: a closing tag does not match its opening tag")) {
            try parse(broken)
        }
    }

    @Test("a gzip-compressed feed is read")
    func gzipped() throws {
        let compressed = WebDocumentTestSupport.compress(WebDocumentTestSupport.bytes(FeedFixtures.wixRSS))
        #expect(try FeedDocument.parse(compressed).entries.count == 1)
    }

    @Test("items beyond the feed limit are dropped with a warning")
    func itemLimit() throws {
        let items = (1...30).map { "<item><link>https://x.example/\($0)</link></item>" }.joined()
        let feed = try parse("<rss><channel>\(items)</channel></rss>", limits: WebDocumentLimits(maxEntries: 10))
        #expect(feed.entries.count == 10)
        #expect(feed.warnings == ["the feed has more than 10 entries; only the first 10 were kept"])
        #expect(WebDocumentLimits.feed.maxEntries == 1_000)
    }

    @Test("a field longer than maxFieldBytes is cut with a warning and still summarised")
    func fieldLimit() throws {
        let body = String(repeating: "Caring is hard work. ", count: 10_000)
        let text = "<rss><channel><item><link>https://x.example/</link><description>\(body)</description></item></channel></rss>"
        let feed = try parse(text)
        let summary = try #require(feed.entries.first?.summary)
        #expect(summary.count <= 302)
        #expect(feed.warnings == ["1 field was longer than 65536 bytes and was cut"])
    }

    @Test("HTML pages, sitemaps and empty bodies are not feeds")
    func notAFeed() {
        #expect(throws: WebDocumentError.notAFeed("its root element is <urlset>, not <rss>, <feed> or <rdf:RDF>")) {
            try parse(SitemapFixtures.yoastPostSitemap)
        }
        #expect(throws: WebDocumentError.notAFeed(
            "the server sent an HTML page titled \"Log In ‹ Carers Centre — WordPress\"")) {
            try parse(SitemapFixtures.wordpressLoginPage)
        }
        #expect(throws: WebDocumentError.notAFeed("the file is empty")) { try parse("") }
        #expect(WebDocumentError.notAFeed("the file is empty").reason
            == "the file is not an RSS or Atom feed (the file is empty)")
    }

    @Test("invalid XML in a feed is reported with its line")
    func invalidXML() {
        let text = "<rss>\n<channel>\n<item><title>A</titel></item>\n</channel></rss>"
        #expect(throws: WebDocumentError.invalidXML("line 3: a closing tag does not match its opening tag")) {
            try parse(text)
        }
    }

    @Test("script content in a description never reaches the summary")
    func scriptStripped() throws {
        let text = """
        <rss><channel><item><link>https://x.example/</link><description><![CDATA[<script type="text/javascript">alert("x")</script><p>Hello <b>carers</b></p><SCRIPT>evil()</SCRIPT><noscript>enable JS</noscript>]]></description></item></channel></rss>
        """
        #expect(try parse(text).entries.first?.summary == "Hello carers")
    }
}
