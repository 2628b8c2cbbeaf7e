import Testing

@testable import NewsletterCore

@Suite("Safe display of user input")
struct QuotingTests {
    @Test("control characters are escaped so nothing forges a line or repaints a terminal")
    func quoting() {
        #expect("a\r\nb".quotedForDisplay == #""a\r\nb""#)
        #expect("nul\u{0}".quotedForDisplay == #""nul\0""#)
        #expect("\u{1B}[2J".quotedForDisplay == #""\u{1b}[2J""#)
        #expect("say \"hi\"".quotedForDisplay == #""say \"hi\"""#)
        #expect("Zoë".quotedForDisplay == "\"Zoë\"")
    }

    @Test("log lines stay single lines")
    func logLines() {
        #expect(StandardErrorLogHandler.singleLine("a\nb\rc\u{2028}d") == #"a\nb\rc\u{2028}d"#)
        #expect(StandardErrorLogHandler.singleLine("plain") == "plain")
    }

    @Test("trimming takes spaces and tabs off the ends only", arguments: [
        ("  a b  ", "a b"), ("\ta\t", "a"), ("a", "a"), ("", ""), ("   ", ""), ("\u{A0}Zoë\u{A0}", "Zoë"), ("é ", "é"),
    ])
    func trimming(_ input: String, _ expected: String) {
        #expect(input.trimmingSpaces == expected)
    }
}
