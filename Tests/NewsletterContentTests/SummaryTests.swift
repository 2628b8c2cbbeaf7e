import Foundation
import NewsletterCore
import NewsletterTestSupport
import Testing

@testable import NewsletterContent

/// A summary ends on a complete thought: a sentence that introduces a list is not cut at
/// its colon, in any of the page formats.
@Suite("Summaries end on a complete thought")
struct SummaryTests {
    let parser = PageParser(reader: DateReader(order: .dmy))

    static func read(_ path: String) throws -> String {
        try String(contentsOfFile: RepositoryPaths.root.appendingPathComponent(path).path, encoding: .utf8)
    }

    func summary(_ text: String, _ format: PageFormat) -> String? {
        parser.parse(Array(text.utf8), format: format).summary
    }

    /// The seed page's opening as Markdown and as HTML, the way a site would publish it.
    static let intro = "Advocacy is taking action and giving support to vulnerable people so they can:"
    static let items = ["have their say", "secure their rights", "have their interests represented", "get the support they need."]
    static let after = "There are many different types of advocacy services but an advocate is generally independent and free from conflicts of interest."
    static let folded =
        "Advocacy is taking action and giving support to vulnerable people so they can: have their say, secure their rights, have their interests represented, and get the support they need."

    @Test("the real seed page (text): the list is folded into the sentence that introduces it")
    func seedText() throws {
        let page = parser.parse(Array(try Self.read("Tests/Pages/seed-advocacy-services.txt").utf8), format: .text)
        #expect(page.title == "Advocacy services")
        #expect(page.summary == Self.folded)
    }

    @Test("the same page as Markdown and as HTML gives the same summary")
    func seedMarkdownAndHTML() {
        let markdown = "# Advocacy services\n\n\(Self.intro)\n\n" + Self.items.map { "- \($0)\n" }.joined() + "\n\(Self.after)\n"
        #expect(summary(markdown, .markdown) == Self.folded)
        // A list straight under its sentence, without a blank line, ends the paragraph too.
        let tight = "# Advocacy services\n\n\(Self.intro)\n" + Self.items.map { "* \($0)\n" }.joined()
        #expect(summary(tight, .markdown) == Self.folded)
        let html = "<html><head><title>Advocacy services</title></head><body><h1>Advocacy services</h1><p>\(Self.intro)</p>\n<ul>"
            + Self.items.map { "<li>\($0)</li>\n" }.joined() + "</ul><p>\(Self.after)</p></body></html>"
        #expect(summary(html, .html) == Self.folded)
        let paragraphs = "<h1>Advocacy services</h1><p>\(Self.intro)</p><ol>" + Self.items.map { "<li><p>\($0)</p></li>" }.joined() + "</ol>"
        #expect(summary(paragraphs, .html) == Self.folded)
    }

    @Test("the demo site's advocacy page, as the demo digest shows it")
    func demoPage() throws {
        let page = parser.parse(Array(try Self.read("config/demo/site/support/advocacy-services.txt").utf8), format: .text)
        #expect(
            page.summary
                == "An advocate is someone who stands beside you so that you can: say what you think, understand and claim your rights, have your interests taken into account, and get the help you need."
        )
    }

    @Test("a list too long to fold gives the sentences before the colon, else the next paragraph")
    func tooLong() {
        let long = (1...8).map { "a long item number \($0) that says a great deal about what advocacy can do for a carer" }
        let text = "Advocacy services\n\n\(Self.intro)\n\n" + long.map { "• \($0)\n" }.joined() + "\n\(Self.after)\n"
        #expect(summary(text, .text) == Self.after)
        let markdown = "# Advocacy services\n\n\(Self.intro)\n\n" + long.map { "- \($0)\n" }.joined() + "\n\(Self.after)\n"
        #expect(summary(markdown, .markdown) == Self.after)
        let html = "<h1>Advocacy services</h1><p>\(Self.intro)</p><ul>" + long.map { "<li>\($0)</li>" }.joined() + "</ul><p>\(Self.after)</p>"
        #expect(summary(html, .html) == Self.after)
        let before = "Advocacy services\n\nAn advocate is on your side. \(Self.intro)\n\n" + long.map { "• \($0)\n" }.joined()
        #expect(summary(before, .text) == "An advocate is on your side.")
    }

    @Test("a paragraph longer than the limit keeps its whole sentences")
    func longParagraph() throws {
        let sentence = "Carers can ask the council for an assessment of what would make caring easier for them."
        let text = "Assessments\n\n" + Array(repeating: sentence, count: 5).joined(separator: " ") + "\n"
        let result = try #require(summary(text, .text))
        #expect(result == Array(repeating: sentence, count: 3).joined(separator: " "))
        // A first sentence longer than the limit alone is still cut, with an ellipsis.
        let endless = "Endless\n\n" + Array(repeating: "word", count: 200).joined(separator: " ") + ".\n"
        #expect(summary(endless, .text)?.hasSuffix("…") == true)
    }

    @Test("the other seed page keeps its first paragraph")
    func otherSeed() throws {
        let page = parser.parse(Array(try Self.read("Tests/Pages/seed-what-is-advocacy.txt").utf8), format: .text)
        #expect(page.title == "What is Advocacy?")
        #expect(
            page.summary
                == "Advocacy can support you to have a voice, put your views forward, get the right information and ensure you know what your rights are. Advocacy can help you to be involved in decisions about you."
        )
    }
}
