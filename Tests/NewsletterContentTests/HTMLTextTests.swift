import Testing
@testable import NewsletterContent

@Suite("HTML to plain text")
struct HTMLTextTests {
    @Test("tags are removed, block elements separate words and inline ones do not")
    func tags() {
        #expect(HTMLText.plainText(fromHTML: "<p>One</p><p>Two <b>bo</b>ld</p><br/>Three")
            == "One Two bold Three")
    }

    @Test("named, decimal and hex entities are decoded once and never re-read as markup")
    func entities() {
        #expect(HTMLText.plainText(fromHTML: "Caf&eacute; &amp; tea &#8211; &#x2014; &pound;5 &lt;script&gt;")
            == "Café & tea – — £5 <script>")
        #expect(HTMLText.plainText(fromHTML: "Fish &chips; &#0; &#xD800; &#146;")
            == "Fish &chips; \u{FFFD} \u{FFFD} ’")
    }

    @Test("a literal less-than sign is kept as text")
    func literalLessThan() {
        #expect(HTMLText.plainText(fromHTML: "ages 5 < 18 and 3<4") == "ages 5 < 18 and 3<4")
    }

    @Test("scripts, styles and comments disappear, even unclosed ones")
    func hidden() {
        #expect(HTMLText.plainText(fromHTML: "a<script>var x = '<p>';</script>b<style>p{}</style>c<!-- note -->d")
            == "abcd")
        #expect(HTMLText.plainText(fromHTML: "visible<script>never closed") == "visible")
        #expect(HTMLText.plainText(fromHTML: "visible<!-- never closed") == "visible")
    }

    @Test("a stray apostrophe inside a tag does not swallow the following text")
    func strayQuote() {
        #expect(HTMLText.plainText(fromHTML: "<a href=x title=it's>link</a> after") == "link after")
    }

    @Test("whitespace, non-breaking spaces and invisible characters are collapsed")
    func whitespace() {
        #expect(HTMLText.normalizeWhitespace("  a \n\t b\u{00A0}\u{00A0}c\u{00AD}d\u{200B}e  ") == "a b cde")
    }

    @Test("short text is returned whole")
    func shortSummary() {
        #expect(HTMLText.summary("Short and sweet.") == "Short and sweet.")
    }

    @Test("long text without sentence ends is cut at a word boundary with an ellipsis")
    func wordCut() {
        let text = String(repeating: "carers support ", count: 40)
        let summary = HTMLText.summary(text)
        #expect(summary.count <= 301)
        #expect(summary.hasSuffix("support…") || summary.hasSuffix("carers…"))
    }

    @Test("a single enormous word is cut hard rather than left whole")
    func hardCut() {
        let summary = HTMLText.summary(String(repeating: "x", count: 1_000))
        #expect(summary.count == 301)
        #expect(summary.hasSuffix("…"))
    }

    @Test("the Latin-1 entity table covers exactly U+00A0 to U+00FF")
    func latin1Table() {
        #expect(HTMLText.latin1EntityNames.count == 96)
        #expect(HTMLText.namedEntity("yuml") == 0xFF)
        #expect(HTMLText.namedEntity("times") == 0xD7)
    }
}
