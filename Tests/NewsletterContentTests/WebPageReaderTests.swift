import Foundation
import NewsletterCore
import NewsletterTestSupport
import Testing

@testable import NewsletterContent

/// A fetched page gives its own title, summary and "last updated" date, never its menus',
/// cookie notice's or news teasers'; pages in `Tests/Pages/web/` are written the way
/// WordPress, LocalGov Drupal, Umbraco, Drupal 7 and hosted builders print them.
@Suite("Reading a fetched web page")
struct WebPageReaderTests {
    let reader = WebPageReader(reader: DateReader(order: .dmy))

    func read(_ fixture: String, url: String) throws -> WebPageReading {
        let bytes = try Data(contentsOf: RepositoryPaths.root.appendingPathComponent("Tests/Pages/web/\(fixture)"))
        return reader.read(Array(bytes), url: url)
    }

    func read(html: String, url: String = "https://carers.example.org/support/page") -> WebPageReading {
        reader.read(Array(html.utf8), url: url)
    }

    static func date(_ iso: String) -> MarkerDate { MarkerDate(iso: iso)! }

    // MARK: Real CMS output

    @Test("WordPress with Yoast: the article's h1, the description, the modified meta, the @graph dates listed after it")
    func wordpressYoast() throws {
        let page = try read("wordpress-yoast.html", url: "https://www.northshirecarers.org.uk/support/advocacy-services/")
        #expect(page.title == "Advocacy services")
        #expect(page.summary == "How an independent advocate can help you, and the person you care for, be heard – and where to find one in Northshire.")
        #expect(page.lastUpdated == Self.date("2024-03-12T09:30:41Z"))
        #expect(page.lastUpdatedSource == "meta article:modified_time")
        #expect(
            page.candidates == [
                DateCandidate(
                    source: "visible text in menus, banners and sidebars (never used)", text: "Carers Week 2024 Updated 3rd June 2024", date: Self.date("2024-06-03"),
                    problem: nil),
                DateCandidate(
                    source: "meta article:modified_time", text: "2024-03-12T09:30:41+00:00", date: Self.date("2024-03-12T09:30:41Z"), problem: nil,
                    chosen: true),
                DateCandidate(
                    source: "JSON-LD dateModified (WebPage)", text: "2024-03-12T09:30:41+00:00", date: Self.date("2024-03-12T09:30:41Z"), problem: nil),
            ])
        #expect(page.published == Self.date("2021-06-01T10:15:00Z"))
        #expect(page.canonicalURL == "https://www.northshirecarers.org.uk/support/advocacy-services/")
        #expect(page.language == "en-GB")
        #expect(page.noindex == false)
        #expect(page.notAPage == nil)
        #expect(page.warnings.isEmpty)
    }

    @Test("LocalGov Drupal: the title block above <main>, the first paragraph, and the 'Last updated' strip below the content")
    func localGovDrupal() throws {
        let page = try read("localgov-drupal.html", url: "https://www.northshire.gov.uk/adult-social-care/carers/carers-assessment")
        #expect(page.title == "Carers' assessment")
        #expect(
            page.summary
                == "A carer's assessment is a chance to talk with us about how caring affects your life, and what support could make things easier for you.")
        #expect(page.lastUpdated == Self.date("2022-05-05"))
        #expect(page.lastUpdatedSource == "visible text \"Last updated: 5 May 2022\"")
        #expect(
            page.candidates == [
                DateCandidate(source: "visible text outside the main content", text: "Last updated: 5 May 2022", date: Self.date("2022-05-05"), problem: nil, chosen: true),
                // The site-wide alert banner's date is listed, never used.
                DateCandidate(
                    source: "visible text in menus, banners and sidebars (never used)", text: "Calendar updated 20 December 2023", date: Self.date("2023-12-20"),
                    problem: nil),
            ])
        #expect(page.canonicalURL == "https://www.northshire.gov.uk/adult-social-care/carers/carers-assessment")
        #expect(page.language == "en")
        #expect(page.published == nil)
        #expect(page.notAPage == nil)
        #expect(page.warnings.isEmpty)
    }

    @Test("an Umbraco council page: past the cookie banner and the mega menu's news, the footer's 'Page last reviewed' counts")
    func umbracoCouncil() throws {
        let page = try read("umbraco-council.html", url: "https://www.westmoor.gov.uk/social-care-and-health/carers/support-for-carers")
        #expect(page.title == "Support for carers")
        // The description is the site's, on every page: the first paragraph says more.
        #expect(
            page.summary
                == "If you look after a family member, partner or friend who needs help because of their illness, frailty, disability, a mental health problem or an addiction, and cannot cope without your support, you are a carer."
        )
        #expect(page.lastUpdated == Self.date("2024-02-14"))
        #expect(page.lastUpdatedSource == "visible text \"Page last reviewed: 14 February 2024\"")
        #expect(
            page.candidates == [
                DateCandidate(
                    source: "visible text outside the main content", text: "Page last reviewed: 14 February 2024", date: Self.date("2024-02-14"), problem: nil,
                    chosen: true),
                DateCandidate(
                    source: "visible text in menus, banners and sidebars (never used)", text: "Last updated 3 March 2024", date: Self.date("2024-03-03"),
                    problem: nil),
            ])
        #expect(page.language == "en-gb")
        #expect(page.notAPage == nil)
    }

    @Test("the seed page in heavy navigation, without <main> or <article>: its h1, its folded list, its own phrase")
    func seedPage() throws {
        let page = try read("seed-advocacy-services.html", url: "https://www.carershub.example/support-for-carers/advocacy-services/")
        #expect(page.title == "Advocacy services")
        #expect(page.summary == SummaryTests.folded)
        #expect(page.lastUpdated == Self.date("2022-05-05"))
        #expect(page.lastUpdatedSource == "visible text \"This information was last updated on 05/05/2022\"")
        #expect(
            page.candidates == [
                DateCandidate(
                    source: "visible text in the main content", text: "This information was last updated on 05/05/2022", date: Self.date("2022-05-05"),
                    problem: nil, chosen: true)
            ])
        #expect(page.canonicalURL == nil)
        #expect(page.notAPage == nil)
    }

    @Test("a Drupal 7 page with only meta dates: dcterms.modified counts, the HTTP-style last-modified is read with its time")
    func metaOnly() throws {
        let page = try read("meta-only.html", url: "https://eastvalecarers.org.uk/short-breaks")
        #expect(page.title == "Short breaks for carers")
        #expect(
            page.summary
                == "Short breaks give you time to rest, see friends or look after your own health while someone else cares for the person you look after.")
        #expect(page.lastUpdated == Self.date("2023-11-20T16:45:00Z"))
        #expect(page.lastUpdatedSource == "meta dcterms.modified")
        #expect(
            page.candidates == [
                DateCandidate(source: "meta dcterms.modified", text: "2023-11-20T16:45+00:00", date: Self.date("2023-11-20T16:45:00Z"), problem: nil, chosen: true),
                DateCandidate(source: "meta last-modified", text: "Mon, 20 Nov 2023 16:45:00 GMT", date: Self.date("2023-11-20T16:45:00Z"), problem: nil),
            ])
        #expect(page.canonicalURL == "https://eastvalecarers.org.uk/node/118")
        #expect(page.warnings.isEmpty)
    }

    @Test("a hosted builder's page with only JSON-LD: the @graph node naming the page wins over a nested post; junk blocks are warned of")
    func jsonLDOnly() throws {
        let page = try read("jsonld-only.html", url: "https://www.riversidecarers.org/respite-care")
        // No <h1>: og:title, without the site's name.
        #expect(page.title == "Respite care")
        #expect(
            page.summary == "Respite care gives you a break from caring while the person you look after is cared for by someone else, at home or away.")
        #expect(page.lastUpdated == Self.date("2024-01-09T14:03:11Z"))
        #expect(page.lastUpdatedSource == "JSON-LD dateModified")
        #expect(
            page.candidates == [
                DateCandidate(
                    source: "JSON-LD dateModified (WebPage)", text: "2024-01-09T14:03:11.000Z", date: Self.date("2024-01-09T14:03:11Z"), problem: nil,
                    chosen: true),
                DateCandidate(
                    source: "JSON-LD dateModified (BlogPosting)", text: "2024-05-20T08:00:00.000Z", date: Self.date("2024-05-20T08:00:00Z"), problem: nil),
            ])
        #expect(page.published == Self.date("2020-02-14T09:00:00Z"))
        // The second block has a trailing comma and a line break in a string, and is read.
        #expect(page.warnings == ["JSON-LD block 3 is not valid JSON; its dates are not read"])
    }

    @Test("the visible phrase wins over a later modified meta, and both are listed")
    func visibleBeatsMeta() throws {
        let page = try read("visible-and-meta-disagree.html", url: "https://www.northshirecarers.org.uk/young-carers/")
        #expect(page.title == "Young carers")
        // The "Last updated" line and a generic og:description are no summary.
        #expect(
            page.summary
                == "A young carer is someone under 18 who helps to look after a relative with a disability, illness, mental health condition, or drug or alcohol problem."
        )
        #expect(page.lastUpdated == Self.date("2022-05-05"))
        #expect(page.lastUpdatedSource == "visible text \"Last updated: 5 May 2022\"")
        #expect(
            page.candidates == [
                DateCandidate(source: "visible text in the main content", text: "Last updated: 5 May 2022", date: Self.date("2022-05-05"), problem: nil, chosen: true),
                DateCandidate(source: "meta article:modified_time", text: "2024-06-01T08:00:00+01:00", date: Self.date("2024-06-01T07:00:00Z"), problem: nil),
                DateCandidate(source: "meta og:updated_time", text: "2024-06-01T08:00:00+01:00", date: Self.date("2024-06-01T07:00:00Z"), problem: nil),
            ])
        #expect(page.published == Self.date("2019-04-08T11:00:00Z"))
    }

    // MARK: Not pages

    @Test("a WordPress 404 page served with 200 is not a page, and asks not to be indexed")
    func notFound() throws {
        let page = try read("not-found-200.html", url: "https://www.northshirecarers.org.uk/support/old-page/")
        #expect(page.notAPage == "the heading \"Oops! That page can’t be found.\" says this is an error page")
        #expect(page.noindex)
        #expect(page.lastUpdated == nil)
        #expect(page.candidates.isEmpty)
    }

    @Test("a page whose main content is a password form is a login page")
    func loginForm() throws {
        let page = try read("login.html", url: "https://forum.northshirecarers.org.uk/members/")
        #expect(page.title == "Members' area")
        #expect(page.notAPage == "the main content is a login form (it asks for a password)")
        #expect(page.noindex)
    }

    @Test("a normal page with a 'Log in' link and a login form in its header is a page")
    func headerLogin() throws {
        let page = try read("header-login-link.html", url: "https://www.northshirecarers.org.uk/support/emergency-card")
        #expect(page.notAPage == nil)
        #expect(page.title == "Carers' emergency card")
        #expect(page.summary == "A free card you carry with you, so that if something happens to you, the person you care for will not be left without help.")
        #expect(page.lastUpdated == Self.date("2024-03-12"))
        #expect(page.lastUpdatedSource == "visible text \"Page last updated: 12 March 2024\"")
        #expect(page.canonicalURL == "https://www.northshirecarers.org.uk/support/emergency-card")
    }

    @Test("error and login titles are told apart from pages that mention them")
    func titlesThatAreNotPages() {
        func notAPage(_ title: String, _ heading: String? = nil) -> String? {
            let h1 = heading.map { "<h1>\($0)</h1>" } ?? ""
            return read(html: "<html><head><title>\(title)</title></head><body><main>\(h1)<p>Some words on the page.</p></main></body></html>").notAPage
        }
        #expect(notAPage("Log in | Carers Trust") == "the title \"Log in\" says this is a login page")
        #expect(notAPage("Sign in to your account - Northshire Council") == "the title \"Sign in to your account\" says this is a login page")
        #expect(notAPage("404 - Page not found | Carers Trust") == "the title \"404 - Page not found\" says this is an error page")
        #expect(notAPage("Carers", "Access denied") == "the heading \"Access denied\" says this is an error page")
        #expect(notAPage("How to log in to the carers portal | Carers Trust") == nil)
        #expect(notAPage("500 carers helped this year | Carers Trust") == nil)
        #expect(notAPage("Finding a page about respite care | Carers Trust") == nil)
    }

    // MARK: Titles, summaries, dates

    @Test("a <title>'s site name is cut: the og:site_name at either end, else a name-like last part")
    func titleCuts() {
        let cases: [(String, String?, String)] = [
            ("Advocacy services | Carers Trust", nil, "Advocacy services"),
            ("Advocacy services - Derbyshire County Council", nil, "Advocacy services"),
            ("Advocacy services – Site", nil, "Advocacy services"),
            ("Self-advocacy - a guide for carers", nil, "Self-advocacy - a guide for carers"),
            ("Carers - who are they?", nil, "Carers - who are they?"),
            ("Carers Trust | Advocacy services", "Carers Trust", "Advocacy services"),
            ("Breaks - for carers - Northshire Carers", "Northshire Carers", "Breaks - for carers"),
            ("Northshire Carers", "Northshire Carers", "Northshire Carers"),
        ]
        for (title, site, expected) in cases {
            #expect(WebPageTitle.withoutSiteName(title, siteName: site) == expected, "\(title)")
        }
    }

    @Test("hand-written HTML: unclosed paragraphs and list items still give the folded summary")
    func unclosedParagraphs() {
        let html = """
            <html><body><h1>Advocacy services</h1>
            <p>\(SummaryTests.intro)
            <ul><li>\(SummaryTests.items.joined(separator: "<li>"))</ul>
            <p>\(SummaryTests.after)
            </body></html>
            """
        let page = read(html: html)
        #expect(page.title == "Advocacy services")
        #expect(page.summary == SummaryTests.folded)
    }

    @Test("skip links, breadcrumbs and an unmarked cookie notice never become the summary")
    func furnitureIsNoSummary() {
        let html = """
            <body><a href="#main">Skip to main content</a>
            <div id="cb"><p>We use cookies to make this site work. Accept all cookies?</p></div>
            <p>You are here: Home &gt; Support &gt; Breaks</p>
            <h1>Breaks for carers</h1><p>Share this</p><p>Published 5 May 2022</p>
            <p>A break gives you time for yourself while someone else cares.</p></body>
            """
        let page = read(html: html)
        #expect(page.title == "Breaks for carers")
        #expect(page.summary == "A break gives you time for yourself while someone else cares.")
    }

    @Test("a class name on a wrapper round the whole page does not hide its content")
    func wrapperClassesGiveWay() {
        let withMain = read(html: "<body><div class=\"page has-cookie-banner\"><main><h1>Respite</h1><p>Respite is a break from caring for a while.</p></main></div></body>")
        #expect(withMain.title == "Respite")
        #expect(withMain.summary == "Respite is a break from caring for a while.")
        let without = read(html: "<body><div class=\"wrapper js-menu-closed\"><h1>Respite</h1><p>Respite is a break from caring for a while.</p></div></body>")
        #expect(without.title == "Respite")
        #expect(without.summary == "Respite is a break from caring for a while.")
    }

    @Test("an impossible visible date is listed with its reason and the meta date is used, with a warning")
    func impossibleVisibleDate() {
        let html = """
            <head><meta property="article:modified_time" content="2024-03-12"></head>
            <body><main><h1>Breaks</h1><p>Time for yourself while someone else cares.</p><p>Last updated 31/02/2024</p></main></body>
            """
        let page = read(html: html)
        #expect(page.lastUpdated == Self.date("2024-03-12"))
        #expect(page.lastUpdatedSource == "meta article:modified_time")
        #expect(page.candidates.first == DateCandidate(source: "visible text in the main content", text: "Last updated 31/02/2024", date: nil, problem: "\"31/02/2024\" is not a real date"))
        #expect(page.warnings == ["impossible date \"31/02/2024\" in \"Last updated 31/02/2024\"; the phrase is not used"])
    }

    @Test("a meta date that cannot be read is listed with its reason and warned of")
    func unreadableMeta() {
        let page = read(html: "<head><meta name=\"last-modified\" content=\"yesterday\"></head><body><h1>X</h1></body>")
        #expect(page.lastUpdated == nil)
        #expect(page.candidates == [DateCandidate(source: "meta last-modified", text: "yesterday", date: nil, problem: "it is not a date this program can read")])
        #expect(page.warnings == ["<meta last-modified> \"yesterday\" is not a date this program can read"])
    }

    @Test("robots noindex, the language and a canonical link against <base> are read")
    func headFacts() {
        let page = read(
            html: "<html lang=\" cy \"><head><base href=\"https://cdn.example.org/en/\"><meta name=\"robots\" content=\"NOINDEX,nofollow\"><link rel=\"alternate canonical\" href=\"cymraeg/gofalwyr\"></head></html>",
            url: "https://carers.example.org/cy/gofalwyr")
        #expect(page.noindex)
        #expect(page.language == "cy")
        #expect(page.canonicalURL == "https://cdn.example.org/en/cymraeg/gofalwyr")
        let bad = read(html: "<html lang=\"en GB\"><head><link rel=canonical href=\"javascript:alert(1)\"></head></html>")
        #expect(bad.language == nil)
        #expect(bad.canonicalURL == nil)
        #expect(bad.warnings == ["the canonical link \"javascript:alert(1)\" is not a web address"])
    }

    @Test("file pages read as before: the meta-only tag reader still ignores other tags' attributes")
    func filePagesUnchanged() throws {
        var work = 0
        let html = Array("<div class=\"cookie\" id=x><meta name=description content=\"a &amp; b\">".utf8)
        let div = HTMLPage.tag(html, at: 0, work: &work)
        #expect(div?.name == "div")
        #expect(div?.attributes.isEmpty == true)
        let meta = HTMLPage.tag(html, at: try #require(html.lastIndex(of: UInt8(ascii: "<"))), work: &work)
        #expect(meta?.attributes == ["name": "description", "content": "a & b"])
        let kept = HTMLPage.tag(html, at: 0, work: &work, keeping: WebPageOutline.kept)
        #expect(kept?.attributes == ["class": "cookie", "id": "x"])
    }

    // MARK: Hostile pages

    static let hostile: [(name: String, make: @Sendable (Int) -> String)] = [
        ("tags that never close", { String(repeating: "<a", count: $0 / 2) }),
        ("elements nested without end", { String(repeating: "<div>", count: $0 / 5) }),
        ("closing tags with nothing open", { "<div>" + String(repeating: "</span>", count: $0 / 7) }),
        ("nested divs each closed by a stray closing tag", { String(repeating: "<div><b>", count: $0 / 16) + String(repeating: "</i></div>", count: $0 / 20) }),
        ("paragraphs and items never closed", { "<main><p>a:<ul>" + String(repeating: "<li><p>x ", count: $0 / 9) }),
        ("titles that never close", { String(repeating: "<title>", count: $0 / 7) }),
        ("a script that never closes", { "<script>" + String(repeating: "x<", count: $0 / 2) }),
        ("a huge class attribute", { "<div class=\"" + String(repeating: "cookie-menu ", count: $0 / 12) + "\">x</div>" }),
        ("furniture nested in furniture", { String(repeating: "<nav><aside class=\"menu\">", count: $0 / 26) }),
        ("main elements inside each other", { String(repeating: "<main><article>x", count: $0 / 16) }),
        ("markers without dates", { "<main>" + String(repeating: "last updated on ", count: $0 / 16) }),
        ("JSON-LD nested too deep", { "<script type=\"application/ld+json\">" + String(repeating: "[", count: $0 / 2) + String(repeating: "]", count: $0 / 2) + "</script>" }),
        ("JSON-LD of many small objects", { "<script type=\"application/ld+json\">[" + String(repeating: "{\"dateModified\":\"x\"},", count: $0 / 21) + "{}]</script>" }),
    ]

    static let size = 8_000
    static let stepsPerByte = 8

    func work(_ html: [UInt8]) -> Int {
        ParseWork.counting { reader.read(html, url: "https://carers.example.org/") }.steps
    }

    @Test("hostile pages are read in one pass: twice the page is twice the work", arguments: hostile.map(\.name))
    func linear(_ name: String) throws {
        let page = try #require(Self.hostile.first { $0.name == name })
        let small = Array(page.make(Self.size).utf8)
        let large = Array(page.make(2 * Self.size).utf8)
        let (smallWork, largeWork) = (work(small), work(large))
        // (A search that finds nothing stops a needle's length short of the end.)
        #expect(smallWork + 16 >= small.count, "\(name): \(smallWork) steps for \(small.count) bytes: the count misses the main loop")
        #expect(largeWork <= Self.stepsPerByte * large.count, "\(name): \(largeWork) steps for \(large.count) bytes")
        #expect(Double(largeWork) <= 2.5 * Double(smallWork), "\(name): \(smallWork) steps for \(small.count) bytes, \(largeWork) for \(large.count)")
    }

    @Test("a 10 MB page is read, within a few steps per byte")
    func tenMegabytes() throws {
        let fixture = try String(contentsOf: RepositoryPaths.root.appendingPathComponent("Tests/Pages/web/umbraco-council.html"), encoding: .utf8)
        let body = fixture.components(separatedBy: "<div class=\"rich-text\">")
        let filler = String(repeating: "<p>Carers can ask the council for an assessment of what would help.</p>\n", count: 10 * 1024 * 1024 / 72)
        let html = Array((body[0] + "<div class=\"rich-text\">" + filler + body[1]).utf8)
        let (page, steps) = ParseWork.counting { reader.read(html, url: "https://www.westmoor.gov.uk/big") }
        #expect(page.title == "Support for carers")
        #expect(page.lastUpdated == Self.date("2024-02-14"))
        #expect(steps <= Self.stepsPerByte * html.count)
    }
}
