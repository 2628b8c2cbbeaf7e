import Foundation
import NewsletterCore

@testable import NewsletterContent

/// A carers' site in every format and phrase content scanning reads, the two seed pages
/// rewritten in our own words, and the bad inputs it must survive.
enum FixtureSite {
    struct Expected: Sendable {
        var path: String
        var title: String
        var lastUpdated: String?
        var url: String
        var topics: [String]
        var status: ContentPageStatus
        var summary: String? = nil
        var publishedOn: String? = nil
    }

    static let base = ContentFixture.base

    /// Seed page 1, "Advocacy services", retold; plain text as copied from the web page.
    static let advocacyServices = """
        Advocacy services

        Advocacy services

        An advocate stands beside you so that you can say what you think, claim your rights and get the help you need.

          • speak up for yourself
          • understand your choices
          • be heard by professionals

        Help to speak up as a carer

        The Care Act 2014 gives carers a right to independent advocacy. An advocate can come with you to meetings with health and social care staff.

        Mental health advocacy

        People detained under the Mental Health Act can ask for an Independent Mental Health Advocate (IMHA), free of charge.

        This information was last updated on 05/05/2022

        Search the Carers Directory

        Signup for updates
        """

    /// Seed page 2, "What is Advocacy?", retold, with a review line of its own.
    static let whatIsAdvocacy = """
        What is Advocacy?

        Advocacy helps you have a voice: to put your views forward, find the right information and know your rights.

        What does an advocate do?

        An advocate does not judge or decide for you. They help you say what you want, explain your options and come to meetings with you.

        Page last reviewed: 12 March 2024
        """

    static func write(to fixture: ContentFixture) throws {
        try fixture.write("support/advocacy.txt", advocacyServices)
        try fixture.write("support/what-is-advocacy.txt", whatIsAdvocacy)

        // Markdown with each front-matter key.
        try fixture.write("money/index.md", """
            ---
            title: Money and benefits
            lastmod: 2024-03-12T09:30:00+01:00
            description: Benefits, grants and help with bills for carers.
            tags: [Money, Benefits]
            ---
            # Money

            Carer's Allowance is the main benefit for carers.
            """)
        try fixture.write("money/carers-allowance.md", """
            ---
            title: "Carer's Allowance"
            last_updated: 2023-11-02
            summary: Who can claim Carer's Allowance and how much it is.
            topics: money
            ---
            You may get Carer's Allowance if you care for someone at least 35 hours a week.
            """)
        try fixture.write("health/breaks.md", """
            ---
            title: Taking a break
            last_modified_at: "2024-01-15 10:00:00"
            categories:
              - Breaks
              - Health and Wellbeing
            ---
            Respite care gives you time for yourself.
            """)
        try fixture.write("health/updated-key.md", "---\ntitle: Carers' assessments\nupdated: 14/02/2024\n---\nAsk your council for an assessment.\n")
        try fixture.write("health/modified-key.markdown", "---\ntitle: Young carers\nmodified: 2024-02-20\n---\nSupport for carers under 18.\n")
        // Markdown with the visible phrases.
        try fixture.write("health/looking-after-yourself.md", """
            # Looking after yourself

            Caring can be tiring. **Sleep**, food and [a chat with a friend](https://example.org) all help.

            Last updated: 5 May 2022
            """)
        try fixture.write("health/flu-jabs.md", "Flu jabs\n========\n\nCarers can have a free flu jab.\n\nUpdated 3rd March 2024\n")
        try fixture.write("health/dentist.txt", "Dental care\n\nFinding an NHS dentist.\n\nThis page was last modified 2024-03-12.\n")
        try fixture.write("health/month-first.html", """
            <html><head><title>Hospital discharge</title></head>
            <body><p>Planning for when someone comes home.</p><p>Last updated: March 3rd, 2024</p></body></html>
            """)
        // HTML with each meta tag, and the phrase.
        try fixture.write("guides/emergency-plan.html", """
            <!DOCTYPE html>
            <html><head>
            <title>Make an emergency plan</title>
            <meta property="article:modified_time" content="2024-03-12T09:30:00Z">
            <meta name="description" content="What happens to the person you care for if you are taken ill.">
            <script>var updated = "Last updated: 1 January 2000";</script>
            </head><body><h1>Emergency plan</h1><p>Write down who to call.</p></body></html>
            """)
        try fixture.write("guides/wills.htm", """
            <html><head><meta name="DCTERMS.modified" content="2023-07-01"></head>
            <body><h1>Wills &amp; power of attorney</h1><p>Lasting power of attorney lets someone you trust decide for you.</p></body></html>
            """)
        try fixture.write("guides/work.html", """
            <html><head><meta http-equiv="last-modified" content="2023-08-09"><title>Working and caring</title></head>
            <body><p>Your employer may offer carer's leave.</p></body></html>
            """)
        try fixture.write("guides/advocacy-page.html", """
            <html><head><title>Advocacy services | Peak Carers</title></head><body>
            <h1>Advocacy services</h1>
            <p>An advocate helps you be heard.</p>
            <p>This information was last updated on <strong>05/05/2022</strong></p>
            </body></html>
            """)
        try fixture.write("about.md", "---\ntitle: About us\nurl: /about-us/\n---\nWe support carers in the Peak District.\n")
        try fixture.write("contact.md", "# Contact us\n\nPhone 01234 567890.\n")

        // The blog.
        try fixture.write("blog/index.md", "# Our blog\n\nNews from the carers' centre.\n")
        try fixture.write("blog/2024-03-12-respite-grants.md", "---\ntitle: Respite grants open\n---\nApply by the end of April.\n")
        try fixture.write("blog/carers-week.md", "---\ntitle: Carers Week 2024\ndate: 2024-06-10\ncategories: [Events]\ndraft: false\n---\nJoin us for a cuppa.\n")
        try fixture.write("blog/coming-soon.md", "---\ntitle: Coffee morning\ndate: 2024-08-01\n---\nSee you there.\n")
        try fixture.write("blog/unfinished.md", "---\ntitle: Half-written post\ndate: 2024-06-01\ndraft: true\n---\nTo do.\n")

        // Not pages: ignored without a word.
        try fixture.write("images/photo.jpg", Data([0xFF, 0xD8, 0xFF, 0x00]))
        try fixture.write("docs/leaflet.pdf", "%PDF-1.4\n")
        try fixture.write(".hidden.md", "# Hidden\n")
        try fixture.write(".git/config.md", "# Not here\n")
        try fixture.write("support/advocacy.txt~", advocacyServices)
        try fixture.write("support/.advocacy.txt.swp", "swap")
        try fixture.write("support/.#advocacy.txt", "lock")
        try fixture.write("support/#advocacy.txt#", "autosave")
        try fixture.write("support/4913", "")

        // Bad input: each skipped or read in part, with a warning.
        try fixture.write("bad/binary.md", Data([0x23, 0x20, 0x00, 0x01, 0x02, 0xFF]))
        try fixture.write("bad/huge.txt", String(repeating: "Far too long. ", count: 1000))
        try fixture.write("bad/latin1.txt", Data("Caf\u{E9} \u{93}carers\u{94}\n\nA place to meet.\n\nLast updated: 5 May 2022\n".unicodeScalars.map { UInt8($0.value) }))
        try fixture.write("bad/broken-front-matter.md", "---\ntitle: [never closed\n---\n# Broken but readable\n\nLast updated: 1 April 2024\n")
        try fixture.write("bad/impossible.txt", "Impossible date\n\nThis information was last updated on 31/02/2024\n")
        let bad = fixture.dir.path("site/bad")
        try FileManager.default.createSymbolicLink(atPath: bad + "/outside.md", withDestinationPath: "/etc/passwd")
        try FileManager.default.createSymbolicLink(atPath: bad + "/loop", withDestinationPath: "..")
        try FileManager.default.createSymbolicLink(atPath: bad + "/self.md", withDestinationPath: "self.md")
        try FileManager.default.createSymbolicLink(atPath: bad + "/inside.md", withDestinationPath: "../contact.md")
    }

    static let expected: [Expected] = [
        Expected(path: "about.md", title: "About us", lastUpdated: nil, url: "\(base)/about-us/", topics: [], status: .noMarker),
        Expected(path: "bad/broken-front-matter.md", title: "Broken but readable", lastUpdated: "2024-04-01", url: "\(base)/bad/broken-front-matter", topics: ["bad"], status: .current),
        Expected(path: "bad/impossible.txt", title: "Impossible date", lastUpdated: nil, url: "\(base)/bad/impossible", topics: ["bad"], status: .noMarker),
        Expected(path: "bad/inside.md", title: "Contact us", lastUpdated: nil, url: "\(base)/bad/inside", topics: ["bad"], status: .noMarker),
        Expected(path: "bad/latin1.txt", title: "Café “carers”", lastUpdated: "2022-05-05", url: "\(base)/bad/latin1", topics: ["bad"], status: .current, summary: "A place to meet."),
        Expected(path: "blog/2024-03-12-respite-grants.md", title: "Respite grants open", lastUpdated: nil, url: "\(base)/blog/2024-03-12-respite-grants", topics: ["blog"], status: .published, publishedOn: "2024-03-12"),
        Expected(path: "blog/carers-week.md", title: "Carers Week 2024", lastUpdated: nil, url: "\(base)/blog/carers-week", topics: ["events"], status: .published, publishedOn: "2024-06-10"),
        Expected(path: "blog/coming-soon.md", title: "Coffee morning", lastUpdated: nil, url: "\(base)/blog/coming-soon", topics: ["blog"], status: .scheduled, publishedOn: "2024-08-01"),
        Expected(path: "blog/index.md", title: "Our blog", lastUpdated: nil, url: "\(base)/blog/", topics: ["blog"], status: .noMarker),
        Expected(path: "blog/unfinished.md", title: "Half-written post", lastUpdated: nil, url: "\(base)/blog/unfinished", topics: ["blog"], status: .draft, publishedOn: "2024-06-01"),
        Expected(path: "contact.md", title: "Contact us", lastUpdated: nil, url: "\(base)/contact", topics: [], status: .noMarker, summary: "Phone 01234 567890."),
        Expected(path: "guides/advocacy-page.html", title: "Advocacy services | Peak Carers", lastUpdated: "2022-05-05", url: "\(base)/guides/advocacy-page", topics: ["guides"], status: .current, summary: "An advocate helps you be heard."),
        Expected(path: "guides/emergency-plan.html", title: "Make an emergency plan", lastUpdated: "2024-03-12T09:30:00Z", url: "\(base)/guides/emergency-plan", topics: ["guides"], status: .current, summary: "What happens to the person you care for if you are taken ill."),
        Expected(path: "guides/wills.htm", title: "Wills & power of attorney", lastUpdated: "2023-07-01", url: "\(base)/guides/wills", topics: ["guides"], status: .current, summary: "Lasting power of attorney lets someone you trust decide for you."),
        Expected(path: "guides/work.html", title: "Working and caring", lastUpdated: "2023-08-09", url: "\(base)/guides/work", topics: ["guides"], status: .current),
        Expected(path: "health/breaks.md", title: "Taking a break", lastUpdated: "2024-01-15T10:00:00Z", url: "\(base)/health/breaks", topics: ["breaks", "health-and-wellbeing"], status: .current),
        Expected(path: "health/dentist.txt", title: "Dental care", lastUpdated: "2024-03-12", url: "\(base)/health/dentist", topics: ["health"], status: .current, summary: "Finding an NHS dentist."),
        Expected(path: "health/flu-jabs.md", title: "Flu jabs", lastUpdated: "2024-03-03", url: "\(base)/health/flu-jabs", topics: ["health"], status: .current, summary: "Carers can have a free flu jab."),
        Expected(path: "health/looking-after-yourself.md", title: "Looking after yourself", lastUpdated: "2022-05-05", url: "\(base)/health/looking-after-yourself", topics: ["health"], status: .current, summary: "Caring can be tiring. Sleep, food and a chat with a friend all help."),
        Expected(path: "health/modified-key.markdown", title: "Young carers", lastUpdated: "2024-02-20", url: "\(base)/health/modified-key", topics: ["health"], status: .current),
        Expected(path: "health/month-first.html", title: "Hospital discharge", lastUpdated: "2024-03-03", url: "\(base)/health/month-first", topics: ["health"], status: .current, summary: "Planning for when someone comes home."),
        Expected(path: "health/updated-key.md", title: "Carers' assessments", lastUpdated: "2024-02-14", url: "\(base)/health/updated-key", topics: ["health"], status: .current),
        Expected(path: "money/carers-allowance.md", title: "Carer's Allowance", lastUpdated: "2023-11-02", url: "\(base)/money/carers-allowance", topics: ["money"], status: .current, summary: "Who can claim Carer's Allowance and how much it is."),
        Expected(path: "money/index.md", title: "Money and benefits", lastUpdated: "2024-03-12T08:30:00Z", url: "\(base)/money/", topics: ["money", "benefits"], status: .current, summary: "Benefits, grants and help with bills for carers."),
        Expected(path: "support/advocacy.txt", title: "Advocacy services", lastUpdated: "2022-05-05", url: "\(base)/support/advocacy", topics: ["support"], status: .current, summary: "An advocate stands beside you so that you can say what you think, claim your rights and get the help you need."),
        Expected(path: "support/what-is-advocacy.txt", title: "What is Advocacy?", lastUpdated: "2024-03-12", url: "\(base)/support/what-is-advocacy", topics: ["support"], status: .current, summary: "Advocacy helps you have a voice: to put your views forward, find the right information and know your rights."),
    ]

    /// Path and the start of the reason, for every warning the fixture site gives.
    static let warnings: [(String, String)] = [
        ("bad/binary.md", "binary file with a page's extension"),
        ("bad/broken-front-matter.md", "broken front matter:"),
        ("bad/huge.txt", "larger than content.max_file_size (13.7 KB > 8 KB)"),
        ("bad/impossible.txt", "impossible date \"31/02/2024\""),
        ("bad/latin1.txt", "not valid UTF-8; read as Windows-1252"),
        ("bad/loop", "symlink loop"),
        ("bad/outside.md", "symlink points outside the content folder"),
        ("bad/self.md", "symlink loop"),
    ]
}
