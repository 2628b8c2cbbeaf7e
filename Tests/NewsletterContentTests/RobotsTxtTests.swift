import Foundation
import Testing

@testable import NewsletterContent

private let ourAgent = "carers-newsletter"

private func robots(_ text: String, agent: String = ourAgent) -> RobotsTxt {
    RobotsTxt(Array(text.utf8), agent: agent)
}

// MARK: - Real-world files

@Suite("Real-world robots.txt files")
struct RealWorldFileTests {
    static let wordPress = """
        User-agent: *
        Disallow: /wp-admin/
        Allow: /wp-admin/admin-ajax.php

        Sitemap: https://carerscentre.example.org/wp-sitemap.xml
        """

    @Test("WordPress: /wp-admin/ is blocked but admin-ajax.php, posts and the home page are allowed")
    func wordPress() {
        let r = robots(Self.wordPress)
        #expect(!r.allows("/wp-admin/"))
        #expect(!r.allows("/wp-admin/options.php"))
        #expect(r.allows("/wp-admin/admin-ajax.php"))
        #expect(r.allows("/wp-admin/admin-ajax.php?action=load_more"))
        #expect(r.allows("/"))
        #expect(r.allows("/2025/03/respite-grants-open/"))
        #expect(r.allows("/wp-admin"))  // no trailing slash: not covered by the rule
        #expect(r.sitemaps == ["https://carerscentre.example.org/wp-sitemap.xml"])
        #expect(r.crawlDelay == nil)
    }

    // Drupal 10's shipped robots.txt, verbatim apart from the header comment being shortened.
    static let drupal = """
        #
        # robots.txt
        #
        # This file is to prevent the crawling and indexing of certain parts
        # of your site by web crawlers and spiders run by sites like Yahoo!
        # and Google.
        #
        # For more information about the robots.txt standard, see:
        # http://www.robotstxt.org/robotstxt.html

        User-agent: *
        # CSS, JS, Images
        Allow: /core/*.css$
        Allow: /core/*.css?
        Allow: /core/*.js$
        Allow: /core/*.js?
        Allow: /core/*.gif
        Allow: /core/*.jpg
        Allow: /core/*.jpeg
        Allow: /core/*.png
        Allow: /core/*.svg
        Allow: /profiles/*.css$
        Allow: /profiles/*.css?
        Allow: /profiles/*.js$
        Allow: /profiles/*.js?
        Allow: /profiles/*.gif
        Allow: /profiles/*.jpg
        Allow: /profiles/*.jpeg
        Allow: /profiles/*.png
        Allow: /profiles/*.svg
        # Directories
        Disallow: /core/
        Disallow: /profiles/
        # Files
        Disallow: /README.md
        Disallow: /composer/Metapackage/README.txt
        Disallow: /composer/Plugin/ProjectMessage/README.md
        Disallow: /composer/Plugin/Scaffold/README.md
        Disallow: /composer/Plugin/VendorHardening/README.txt
        Disallow: /composer/Template/README.txt
        Disallow: /modules/README.txt
        Disallow: /sites/README.txt
        Disallow: /themes/README.txt
        Disallow: /web.config
        # Paths (clean URLs)
        Disallow: /admin/
        Disallow: /comment/reply/
        Disallow: /filter/tips
        Disallow: /node/add/
        Disallow: /search/
        Disallow: /user/register
        Disallow: /user/password
        Disallow: /user/login
        Disallow: /user/logout
        Disallow: /media/oembed
        Disallow: /*/media/oembed
        # Paths (no clean URLs)
        Disallow: /index.php/admin/
        Disallow: /index.php/comment/reply/
        Disallow: /index.php/filter/tips
        Disallow: /index.php/node/add/
        Disallow: /index.php/search/
        Disallow: /index.php/user/password
        Disallow: /index.php/user/register
        Disallow: /index.php/user/login
        Disallow: /index.php/user/logout
        Disallow: /index.php/media/oembed
        Disallow: /index.php/*/media/oembed
        """

    @Test("Drupal: content pages are allowed and admin, search, user and comment-reply paths are blocked")
    func drupalPaths() {
        let r = robots(Self.drupal)
        #expect(r.allows("/"))
        #expect(r.allows("/node/42"))
        #expect(r.allows("/news/carers-week-2025"))
        #expect(r.allows("/user/1"))
        #expect(r.allows("/search"))  // only /search/ is listed
        #expect(r.allows("/admin"))  // only /admin/ is listed
        #expect(!r.allows("/admin/content"))
        #expect(!r.allows("/comment/reply/17"))
        #expect(!r.allows("/search/node?keys=respite"))
        #expect(!r.allows("/user/register"))
        #expect(!r.allows("/user/register?destination=/node/5"))
        #expect(!r.allows("/user/login"))
        #expect(!r.allows("/node/add/article"))
        #expect(!r.allows("/index.php/user/login"))
        #expect(!r.allows("/README.md"))
        #expect(!r.allows("/fr/media/oembed?url=x"))  // via /*/media/oembed
        #expect(!r.allows("/index.php/fr/media/oembed"))
    }

    @Test("Drupal: /core/ assets allowed by 'Allow: /core/*.css$' win over the shorter 'Disallow: /core/'")
    func drupalCoreAssets() {
        let r = robots(Self.drupal)
        #expect(r.allows("/core/themes/olivero/css/base.css"))
        #expect(r.allows("/core/misc/drupal.js"))
        #expect(r.allows("/core/misc/drupal.js?v=10.2.0"))
        #expect(r.allows("/core/misc/logo.svg"))
        #expect(r.allows("/profiles/standard/theme.css?t=1"))
        #expect(!r.allows("/core/install.php"))
        #expect(!r.allows("/core/themes/olivero/css/base.css.map"))  // `$` anchors .css at the end
        #expect(!r.allows("/core/CHANGELOG.txt"))
        #expect(!r.allows("/profiles/standard/standard.info.yml"))
    }

    static let council = """
        # Westshire Council - www.westshire.gov.uk
        # AI crawlers are not welcome.
        User-agent: GPTBot
        Disallow: /

        User-agent: CCBot
        Disallow: /

        # SEO tools overload our CMS
        User-agent: AhrefsBot
        User-agent: SemrushBot
        User-agent: MJ12bot
        Disallow: /

        User-agent: *
        Disallow: /search
        Disallow: /apply/
        Disallow: /*?sort=
        Crawl-delay: 10

        Sitemap: https://www.westshire.gov.uk/sitemap.xml
        Sitemap: https://www.westshire.gov.uk/news/sitemap.xml
        """

    @Test("Council site: named bots are blocked entirely while everyone else, including us, gets the * rules")
    func councilBlocksSpecificBots() {
        for bot in ["GPTBot", "ccbot", "AhrefsBot", "SemrushBot", "MJ12bot"] {
            let blocked = robots(Self.council, agent: bot)
            #expect(!blocked.allows("/"), "\(bot) should be blocked")
            #expect(!blocked.allows("/adult-social-care/carers"), "\(bot) should be blocked")
            #expect(blocked.crawlDelay == nil)
        }
        let us = robots(Self.council)
        #expect(us.allows("/adult-social-care/carers"))
        #expect(us.allows("/news/carers-assessment-changes?page=2"))
        #expect(!us.allows("/search?q=carers"))
        #expect(!us.allows("/searchresults"))
        #expect(!us.allows("/apply/blue-badge"))
        #expect(!us.allows("/news?sort=date"))
        #expect(us.crawlDelay == 10)
        #expect(
            us.sitemaps == [
                "https://www.westshire.gov.uk/sitemap.xml",
                "https://www.westshire.gov.uk/news/sitemap.xml",
            ])
    }

    @Test("Sitemaps are file-wide: a blocked bot still sees the same sitemap list")
    func sitemapsIgnoreGroups() {
        #expect(robots(Self.council, agent: "GPTBot").sitemaps == robots(Self.council).sitemaps)
    }
}

// MARK: - Group selection

@Suite("Group selection by user-agent")
struct GroupSelectionTests {
    @Test("Our own group overrides the * group completely, not rule by rule")
    func ownGroupOverridesStar() {
        let r = robots(
            """
            User-agent: *
            Disallow: /

            User-agent: carers-newsletter
            Disallow: /drafts/
            """)
        #expect(r.allows("/"))
        #expect(r.allows("/events"))
        #expect(!r.allows("/drafts/next-issue"))
    }

    @Test("An empty Disallow in our group allows everything even though * disallows all")
    func emptyDisallowInOwnGroup() {
        let r = robots(
            """
            User-agent: *
            Disallow: /

            User-agent: carers-newsletter
            Disallow:
            """)
        #expect(r.allows("/anything/at/all"))
        #expect(r == .allowAll)
    }

    @Test("Consecutive User-agent lines share the rules that follow them")
    func groupedAgents() {
        let text = """
            User-agent: otherbot
            User-agent: carers-newsletter
            Disallow: /private/

            User-agent: *
            Disallow: /
            """
        let r = robots(text)
        #expect(r.allows("/public"))
        #expect(!r.allows("/private/minutes.pdf"))
        let other = robots(text, agent: "otherbot")
        #expect(!other.allows("/private/x") && other.allows("/public"))
        let stranger = robots(text, agent: "stranger")
        #expect(!stranger.allows("/public"))
    }

    @Test("Several groups naming our agent are merged into one")
    func groupsMerge() {
        let r = robots(
            """
            User-agent: carers-newsletter
            Disallow: /a/

            User-agent: *
            Disallow: /b/

            User-agent: carers-newsletter
            Disallow: /c/
            Allow: /a/public
            """)
        #expect(!r.allows("/a/secret"))
        #expect(r.allows("/a/public/page"))
        #expect(r.allows("/b/page"))  // * group ignored once we have our own
        #expect(!r.allows("/c/page"))
    }

    @Test("User-agent matching is case-insensitive and uses only the product token on both sides")
    func productTokenMatching() {
        let text = """
            User-agent: Carers-Newsletter/2.0 (+https://example.org/bot)
            Disallow: /x
            """
        #expect(!robots(text).allows("/x"))
        #expect(!robots(text, agent: "CARERS-NEWSLETTER").allows("/x"))
        #expect(!robots(text, agent: "carers-newsletter/1.4 (+https://carers.example/about)").allows("/x"))
    }

    @Test("A token that is merely a prefix or an extension of ours does not select the group")
    func noSubstringMatching() {
        let text = """
            User-agent: carers
            Disallow: /a

            User-agent: carers-newsletter-beta
            Disallow: /b

            User-agent: *
            Disallow: /c
            """
        let r = robots(text)
        #expect(r.allows("/a") && r.allows("/b") && !r.allows("/c"))
    }

    @Test("With no group for us and no * group, everything is allowed")
    func noMatchingGroup() {
        let r = robots(
            """
            User-agent: GPTBot
            Disallow: /
            """)
        #expect(r == .allowAll)
        #expect(r.allows("/"))
    }

    @Test("'Disallow: /' for everyone blocks every path except /robots.txt itself")
    func disallowEverything() {
        let r = robots("User-agent: *\nDisallow: /\n")
        #expect(r == .disallowAll)
        #expect(!r.allows("/"))
        #expect(!r.allows("/carers/support?x=1"))
        #expect(!r.allows(""))
        #expect(r.allows("/robots.txt"))
    }

    @Test("Rules appearing before any User-agent line are ignored")
    func rulesWithoutGroup() {
        let r = robots(
            """
            Disallow: /
            Crawl-delay: 30
            User-agent: *
            Disallow: /tmp/
            """)
        #expect(r.allows("/"))
        #expect(!r.allows("/tmp/x"))
        #expect(r.crawlDelay == nil)
    }

    @Test("Unknown directives between User-agent lines do not split the group")
    func unknownDirectiveKeepsGroup() {
        let r = robots(
            """
            User-agent: otherbot
            Host: www.example.org
            User-agent: carers-newsletter
            Disallow: /members/
            """)
        #expect(!r.allows("/members/list"))
    }

    @Test("An agent string with no product token falls back to the * group")
    func emptyAgentUsesStar() {
        let text = "User-agent: *\nDisallow: /a\n\nUser-agent: carers-newsletter\nDisallow: /b\n"
        for agent in ["", "*", "/1.0", "   "] {
            let r = robots(text, agent: agent)
            #expect(!r.allows("/a") && r.allows("/b"), "agent \(agent.debugDescription)")
        }
    }
}

// MARK: - Matching

@Suite("Allow/Disallow matching")
struct MatchingTests {
    @Test("The longest matching rule wins regardless of order, whether Allow or Disallow")
    func longestMatchWins() {
        let r = robots(
            """
            User-agent: *
            Allow: /p
            Disallow: /
            Disallow: /*.html
            Allow: /folder/page
            Disallow: /folder/
            """)
        #expect(r.allows("/page"))
        #expect(!r.allows("/page.html"))  // "/*.html" (7) beats "/p" (2)
        #expect(!r.allows("/other"))
        #expect(r.allows("/folder/page"))
        #expect(!r.allows("/folder/other"))
    }

    @Test("Allow wins when an Allow and a Disallow match with the same length")
    func allowWinsTie() {
        let r = robots("User-agent: *\nDisallow: /folder\nAllow: /folder\n")
        #expect(r.allows("/folder/page"))
        let reversed = robots("User-agent: *\nAllow: /page\nDisallow: /page\n")
        #expect(reversed.allows("/page"))
    }

    @Test("An empty Disallow or empty Allow restricts nothing")
    func emptyValues() {
        let r = robots("User-agent: *\nDisallow:\nAllow:\n")
        #expect(r.allows("/"))
        #expect(r == .allowAll)
    }

    @Test("'*' matches any run of characters, including none and including slashes")
    func wildcard() {
        let r = robots("User-agent: *\nDisallow: /fish*\nDisallow: /*/private/\nDisallow: /*?\n")
        #expect(!r.allows("/fish"))
        #expect(!r.allows("/fish.html"))
        #expect(!r.allows("/fishheads/yummy.html"))
        #expect(r.allows("/Fish.asp"))  // paths are case-sensitive
        #expect(!r.allows("/a/b/private/c"))
        #expect(!r.allows("/events?month=5"))
        #expect(r.allows("/events"))
    }

    @Test("'$' anchors the end of the path; elsewhere it is an ordinary character")
    func endAnchor() {
        let r = robots("User-agent: *\nDisallow: /*.pdf$\nDisallow: /$\nDisallow: /price$list\n")
        #expect(!r.allows("/leaflets/carers.pdf"))
        #expect(r.allows("/leaflets/carers.pdf?download=1"))
        #expect(r.allows("/leaflets/carers.pdfx"))
        #expect(!r.allows("/"))
        #expect(r.allows("/about"))
        #expect(!r.allows("/price$list/2025"))
        #expect(r.allows("/price"))
    }

    @Test("A pattern without a leading slash is treated as root-relative")
    func missingLeadingSlash() {
        let r = robots("User-agent: *\nDisallow: private\n")
        #expect(!r.allows("/private/x"))
        #expect(r.allows("/public"))
    }

    @Test("/robots.txt is always allowed, and a path missing its slash is read as root-relative")
    func robotsTxtAndOddPaths() {
        #expect(RobotsTxt.disallowAll.allows("/robots.txt"))
        #expect(!RobotsTxt.disallowAll.allows("robots.txt.bak"))
        let r = robots("User-agent: *\nDisallow: /secret\n")
        #expect(!r.allows("secret"))
        #expect(r.allows(""))
    }

    @Test("The greedy wildcard matcher agrees with a reference dynamic-programming matcher on every small case")
    func matcherAgreesWithReference() {
        // Exhaustive over a tiny alphabet so every overlap/anchor corner is covered.
        let alphabet: [UInt8] = Array("ab*".utf8)
        let pathAlphabet: [UInt8] = Array("ab".utf8)
        func all(_ letters: [UInt8], upTo length: Int) -> [[UInt8]] {
            var result: [[UInt8]] = [[]]
            var frontier: [[UInt8]] = [[]]
            for _ in 0..<length {
                frontier = frontier.flatMap { prefix in letters.map { prefix + [$0] } }
                result += frontier
            }
            return result
        }
        let paths = all(pathAlphabet, upTo: 7).map { [UInt8(ascii: "/")] + $0 }
        var checked = 0
        for body in all(alphabet, upTo: 5) {
            for anchored in [false, true] {
                let value = [UInt8(ascii: "/")] + body + (anchored ? [UInt8(ascii: "$")] : [])
                let pattern = RobotsTxt.Pattern(normalizedValue: value)
                for path in paths {
                    let expected = referenceMatch(pattern: [UInt8(ascii: "/")] + body, anchored: anchored, path: path)
                    if pattern.matches(path) != expected {
                        Issue.record("pattern \(String(decoding: value, as: UTF8.self)) path \(String(decoding: path, as: UTF8.self))")
                        return
                    }
                    checked += 1
                }
            }
        }
        #expect(checked > 100_000)
    }

    /// Textbook O(n·m) glob DP, used only as an oracle.
    private func referenceMatch(pattern: [UInt8], anchored: Bool, path: [UInt8]) -> Bool {
        let p = anchored ? pattern : pattern + [UInt8(ascii: "*")]
        var row = [Bool](repeating: false, count: path.count + 1)
        row[0] = true
        for symbol in p {
            var next = [Bool](repeating: false, count: path.count + 1)
            if symbol == UInt8(ascii: "*") {
                var reachable = false
                for j in 0...path.count {
                    reachable = reachable || row[j]
                    next[j] = reachable
                }
            } else {
                for j in 0..<path.count where row[j] && path[j] == symbol {
                    next[j + 1] = true
                }
            }
            row = next
        }
        return row[path.count]
    }
}

// MARK: - Percent-encoding

@Suite("Percent-encoding normalisation (RFC 9309 2.2.2)")
struct PercentEncodingTests {
    @Test("Raw UTF-8 in the file matches the percent-encoded path, and vice versa")
    func nonASCII() {
        let raw = robots("User-agent: *\nDisallow: /foo/bar/ツ\n")
        #expect(!raw.allows("/foo/bar/%E3%83%84"))
        let encoded = robots("User-agent: *\nDisallow: /foo/bar/%E3%83%84\n")
        #expect(!encoded.allows("/foo/bar/%E3%83%84"))
        #expect(!encoded.allows("/foo/bar/ツ"))
    }

    @Test("Encoded unreserved characters are decoded: /foo/bar/%62%61%7A matches /foo/bar/baz")
    func unreservedDecoded() {
        let r = robots("User-agent: *\nDisallow: /foo/bar/%62%61%7A\nDisallow: /~staff/\n")
        #expect(!r.allows("/foo/bar/baz"))
        #expect(!r.allows("/%7Estaff/list"))
        #expect(!r.allows("/%7estaff/list"))
    }

    @Test("%2F is not the same as '/', so an encoded slash does not match a path separator")
    func encodedSlashStaysDistinct() {
        let r = robots("User-agent: *\nDisallow: /a%2Fb\n")
        #expect(r.allows("/a/b"))
        #expect(!r.allows("/a%2Fb"))
        #expect(!r.allows("/a%2fb"))  // hex digits compare case-insensitively
        let slash = robots("User-agent: *\nDisallow: /a/b\n")
        #expect(slash.allows("/a%2Fb"))
    }

    @Test("Query strings are compared literally: /foo/bar?baz=quz matches itself")
    func queryString() {
        let r = robots("User-agent: *\nDisallow: /foo/bar?baz=quz\n")
        #expect(!r.allows("/foo/bar?baz=quz"))
        #expect(!r.allows("/foo/bar?baz=quz&x=1"))
        #expect(r.allows("/foo/bar?baz=other"))
    }

    @Test("Spaces written in a rule match their %20 form in the URL")
    func spaces() {
        let r = robots("User-agent: *\nDisallow: /annual report\n")
        #expect(!r.allows("/annual%20report.pdf"))
    }
}

// MARK: - Syntax tolerance

@Suite("Syntax: comments, line ends, BOM, malformed lines")
struct SyntaxTests {
    @Test("CRLF, bare CR and LF line ends all separate lines")
    func lineEndings() {
        for separator in ["\r\n", "\r", "\n"] {
            let text = ["User-agent: *", "Disallow: /a", "Disallow: /b"].joined(separator: separator)
            let r = robots(text)
            #expect(!r.allows("/a") && !r.allows("/b") && r.allows("/c"), "separator \(separator.debugDescription)")
        }
        let mixed = robots("User-agent: *\r\nDisallow: /a\rDisallow: /b\nDisallow: /c\r\n")
        #expect(!mixed.allows("/a") && !mixed.allows("/b") && !mixed.allows("/c"))
    }

    @Test("A UTF-8 byte order mark before the first directive is ignored")
    func byteOrderMark() {
        let r = RobotsTxt([0xEF, 0xBB, 0xBF] + Array("User-agent: *\nDisallow: /x\n".utf8), agent: ourAgent)
        #expect(!r.allows("/x"))
    }

    @Test("Comments are stripped, whole-line and trailing, including after User-agent and Sitemap")
    func comments() {
        let r = robots(
            """
            # Disallow: /everything
            User-agent: carers-newsletter # that's us
            Disallow: /old/ # archived
            Sitemap: https://example.org/sitemap.xml # main
            """)
        #expect(!r.allows("/old/page"))
        #expect(r.allows("/everything"))
        #expect(r.sitemaps == ["https://example.org/sitemap.xml"])
    }

    @Test("Directive names are case-insensitive and whitespace around the colon is tolerated")
    func directiveCase() {
        let r = robots("USER-AGENT:*\nDISALLOW :/a\n\tdisallow:\t/b  \nAlLoW: /a/ok\nCRAWL-DELAY: 2\n")
        #expect(!r.allows("/a/x"))
        #expect(!r.allows("/b"))
        #expect(r.allows("/a/ok"))
        #expect(r.crawlDelay == 2)
    }

    @Test("Lines without a colon, unknown directives and garbage are ignored without losing other rules")
    func malformedLines() {
        let r = robots(
            """
            <!DOCTYPE html>
            User-agent: *
            Disallow /no-colon
            Disalow: /typo
            Noindex: /noindex
            random words here
            ::::
            : /empty-key
            Disallow: /real
            """)
        #expect(r.allows("/no-colon"))
        #expect(r.allows("/typo"))
        #expect(r.allows("/noindex"))
        #expect(r.allows("/empty-key"))
        #expect(!r.allows("/real"))
    }

    @Test("An HTML error page served as robots.txt yields no rules")
    func htmlBody() {
        let r = robots("<html><head><title>Page not found</title></head><body>Sorry: gone</body></html>")
        #expect(r == .allowAll)
    }

    @Test("Only the first 500 KiB are parsed; rules beyond are ignored")
    func sizeLimit() {
        let padding = String(repeating: "# padding padding padding padding padding padding\n", count: 12_000)  // ~600 KB
        let late = robots("User-agent: *\n" + padding + "Disallow: /late\n")
        #expect(late.allows("/late"))
        let early = robots("User-agent: *\nDisallow: /early\n" + padding + "Disallow: /late\n")
        #expect(!early.allows("/early"))
        #expect(early.allows("/late"))
    }

    @Test("A line cut off by the 500 KiB limit is dropped rather than read as a shorter, broader path")
    func truncatedLineDropped() {
        let head = "User-agent: *\n"
        let line = "Disallow: /secret-files\n"
        let fill = RobotsTxt.maxParsedBytes - head.utf8.count - 12  // limit lands after "Disallow: /s"
        let padding = String(repeating: "#", count: fill - 1) + "\n"
        let bytes = Array((head + padding + line).utf8)
        #expect(bytes.count > RobotsTxt.maxParsedBytes)
        let r = RobotsTxt(bytes, agent: ourAgent)
        #expect(r.allows("/search"))
    }
}

// MARK: - Crawl-delay and sitemaps

@Suite("Crawl-delay and Sitemap")
struct CrawlDelayAndSitemapTests {
    @Test("Crawl-delay: 10 in the matched group is reported as 10 seconds")
    func crawlDelay() {
        #expect(robots("User-agent: *\nCrawl-delay: 10\n").crawlDelay == 10)
        #expect(robots("User-agent: *\nCrawl-delay: 1.5\n").crawlDelay == 1.5)
    }

    @Test("Crawl-delay is clamped to 0...60 and unparseable values are ignored")
    func crawlDelayClamped() {
        #expect(robots("User-agent: *\nCrawl-delay: 3600\n").crawlDelay == 60)
        #expect(robots("User-agent: *\nCrawl-delay: -5\n").crawlDelay == 0)
        #expect(robots("User-agent: *\nCrawl-delay: 1e400\n").crawlDelay == 60)
        #expect(robots("User-agent: *\nCrawl-delay: soon\n").crawlDelay == nil)
        #expect(robots("User-agent: *\nCrawl-delay: nan\n").crawlDelay == nil)
        #expect(robots("User-agent: *\nCrawl-delay:\n").crawlDelay == nil)
    }

    @Test("Crawl-delay comes from the selected group only; merged groups keep the largest delay")
    func crawlDelayPerGroup() {
        let starOnly = robots("User-agent: *\nCrawl-delay: 5\n\nUser-agent: carers-newsletter\nDisallow: /x\n")
        #expect(starOnly.crawlDelay == nil)
        let ours = robots("User-agent: *\nCrawl-delay: 5\n\nUser-agent: carers-newsletter\nCrawl-delay: 2\n")
        #expect(ours.crawlDelay == 2)
        let merged = robots("User-agent: carers-newsletter\nCrawl-delay: 2\nUser-agent: carers-newsletter\nCrawl-delay: 7\n")
        #expect(merged.crawlDelay == 7)
    }

    @Test("Sitemaps are kept in file order, only absolute http(s) URLs, without duplicates")
    func sitemaps() {
        let r = robots(
            """
            Sitemap: https://example.org/a.xml
            User-agent: *
            Disallow: /x
            sitemap: /relative.xml
            SITEMAP: http://example.org/b.xml
            Sitemap: ftp://example.org/c.xml
            Sitemap: https://example.org/a.xml
            Sitemap: https://example.org/with space.xml
            Sitemap: https://
            Sitemap: HTTPS://Example.org/d.xml
            """)
        #expect(r.sitemaps == ["https://example.org/a.xml", "http://example.org/b.xml", "HTTPS://Example.org/d.xml"])
    }

    @Test("At most 100 sitemaps are kept, the first 100 in order")
    func sitemapCap() {
        let text = (0..<150).map { "Sitemap: https://example.org/sitemap-\($0).xml" }.joined(separator: "\n")
        let r = robots(text)
        #expect(r.sitemaps.count == 100)
        #expect(r.sitemaps.first == "https://example.org/sitemap-0.xml")
        #expect(r.sitemaps.last == "https://example.org/sitemap-99.xml")
    }
}

// MARK: - HTTP status mapping

@Suite("HTTP status to policy (RFC 9309 2.3.1)")
struct StatusMappingTests {
    static let body = Array("User-agent: *\nDisallow: /private/\nCrawl-delay: 3\n".utf8)

    @Test("2xx responses are parsed")
    func success() {
        let r = RobotsTxt.forStatus(200, body: Self.body, agent: ourAgent)
        #expect(r == RobotsTxt(Self.body, agent: ourAgent))
        #expect(!r.allows("/private/a") && r.allows("/public"))
        #expect(r.crawlDelay == 3)
        #expect(RobotsTxt.forStatus(204, body: [], agent: ourAgent) == .allowAll)
    }

    @Test("4xx responses (404, 410, 401, 403) mean no robots.txt: allow everything, ignoring the body")
    func clientErrors() {
        for status in [400, 401, 403, 404, 410, 451, 499] {
            #expect(RobotsTxt.forStatus(status, body: Self.body, agent: ourAgent) == .allowAll, "status \(status)")
        }
    }

    @Test("5xx responses and unreachable hosts mean disallow everything")
    func serverErrors() {
        for status in [500, 502, 503, 504, 599, 0, -1, 100, 600, Int.max, Int.min] {
            #expect(RobotsTxt.forStatus(status, body: Self.body, agent: ourAgent) == .disallowAll, "status \(status)")
        }
    }

    @Test("429 Too Many Requests is treated like a server error (disallow), not like a missing file")
    func tooManyRequests() {
        #expect(RobotsTxt.forStatus(429, body: Self.body, agent: ourAgent) == .disallowAll)
    }

    @Test("A 3xx reaching us means redirects were exhausted: the file is treated as unavailable (allow all)")
    func redirects() {
        #expect(RobotsTxt.forStatus(301, body: [], agent: ourAgent) == .allowAll)
    }
}

// MARK: - Robustness and performance

@Suite("Robustness and bounded work")
struct RobustnessTests {
    @Test("1,000 stars against a 10,000-character path matches quickly")
    func manyStars() {
        let pattern = "/" + String(repeating: "*", count: 1_000) + "x"
        let path = "/" + String(repeating: "a", count: 9_998) + "x"
        let r = robots("User-agent: *\nDisallow: \(pattern)\n")
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            #expect(!r.allows(path))
            #expect(r.allows("/" + String(repeating: "a", count: 9_999)))
        }
        #expect(elapsed < .milliseconds(500))
    }

    @Test("Adversarial patterns that defeat backtracking matchers stay fast on a 10,000-character path")
    func adversarialPatterns() {
        let path = "/" + String(repeating: "a", count: 9_999)
        let patterns = [
            "/" + String(repeating: "*a", count: 1_000) + "*b",
            "/" + String(repeating: "*a", count: 1_000) + "b$",
            "/*" + String(repeating: "a", count: 5_000) + "b",
            "/" + String(repeating: "a*", count: 1_000) + "$",
        ]
        let text = "User-agent: *\n" + patterns.map { "Allow: /\nDisallow: \($0)\n" }.joined()
        let r = robots(text)
        let clock = ContinuousClock()
        var results: [Bool] = []
        let elapsed = clock.measure {
            for _ in 0..<10 { results.append(r.allows(path)) }
        }
        // Only the last pattern (all a's, anchored with a trailing star) matches.
        #expect(results.allSatisfy { $0 == false })
        #expect(elapsed < .seconds(1))
        let withoutLast = robots("User-agent: *\n" + patterns.dropLast().map { "Disallow: \($0)\n" }.joined())
        #expect(withoutLast.allows(path))
    }

    @Test("A 1 MB line with no newline and a file of only separators are handled without trapping")
    func degenerateInputs() {
        let longLine = RobotsTxt(Array(repeating: UInt8(ascii: "a"), count: 1_000_000), agent: ourAgent)
        #expect(longLine == .allowAll)
        #expect(RobotsTxt(Array(repeating: 0x0D, count: 10_000), agent: ourAgent) == .allowAll)
        #expect(RobotsTxt([], agent: ourAgent) == .allowAll)
        #expect(RobotsTxt([0xEF, 0xBB], agent: ourAgent) == .allowAll)
        #expect(robots("User-agent: *\nDisallow: %\nDisallow: /%4\nDisallow: /%zz\n").allows("/ok"))
        #expect(!robots("User-agent: *\nDisallow: /%4\n").allows("/%254"))
    }

    @Test("Random bytes and random directive soup never trap and never block /robots.txt")
    func fuzz() {
        var rng = SplitMix64(seed: 0x5EED_CA7E)
        let fragments = [
            "User-agent: ", "Disallow: ", "Allow: ", "Crawl-delay: ", "Sitemap: ", "*", "$", "%", "%2", "%2F",
            "%e3%83%84", "/", "#", ":", "\n", "\r", "\r\n", "carers-newsletter", "a", "?", " ", "\t", "ツ", "9e999",
        ].map { Array($0.utf8) }
        for round in 0..<3_000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int(rng.next() % 60) {
                if round.isMultiple(of: 2) {
                    bytes += fragments[Int(rng.next() % UInt64(fragments.count))]
                } else {
                    bytes.append(UInt8(truncatingIfNeeded: rng.next()))
                }
            }
            let r = RobotsTxt(bytes, agent: ourAgent)
            var path = "/"
            for _ in 0..<Int(rng.next() % 20) {
                path.append(["a", "*", "$", "%", "%2", "/", "?", "ツ", "%E3"][Int(rng.next() % 9)])
            }
            _ = r.allows(path)
            #expect(r.allows("/robots.txt"))
            if let delay = r.crawlDelay {
                #expect((0...60).contains(delay))
            }
            #expect(r.sitemaps.count <= 100)
        }
    }
}

/// Deterministic generator so a fuzz failure is reproducible.
private struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
