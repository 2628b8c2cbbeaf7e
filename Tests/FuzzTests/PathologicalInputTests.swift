import NewsletterContent
import NewsletterFuzzSupport
import Testing

/// Pages made to take time in the square of their size. The fuzzers' inputs are kilobytes,
/// too small to show it; a page of 300 KB of "<a" took about five minutes, a 5 MB page (the
/// default content.max_file_size) most of a day, while the daemon's watchdog allows a minute.
///
/// "Read in one pass" is checked on the parsers' own count of the bytes they examine
/// (`ParseWork`), not on a clock, so a busy machine cannot make it fail or pass: the count at
/// twice the size is about twice the count, and a few steps per byte. Against the parser
/// before the fix (3183b2a) the counts grow fourfold and reach hundreds of steps per byte.
/// `make bench` times the same pages.
@Suite("Pathological pages")
struct PathologicalInputTests {
    /// Each page as its format and a builder for a page of about `size` bytes.
    static let pages: [(name: String, format: PageFormat, make: @Sendable (Int) -> String)] = [
        ("HTML: tags that never close", .html, { String(repeating: "<a", count: $0 / 2) }),
        ("HTML: declarations that never close", .html, { String(repeating: "<!", count: $0 / 2) }),
        ("HTML: quoted attributes that never close", .html, { String(repeating: "<meta a=\"", count: $0 / 9) }),
        ("Markdown: brackets that never close", .markdown, { String(repeating: "[", count: $0) }),
        ("Markdown: link targets that never close", .markdown, { String(repeating: "[a](", count: $0 / 4) }),
        ("Markdown: tags that never close", .markdown, { "x " + String(repeating: "<a", count: $0 / 2) }),
        ("text: markers without dates", .text, { "x\n" + String(repeating: "last updated on ", count: $0 / 16) }),
    ]

    /// Large enough that work in the square of the size stands out from the fixed costs,
    /// small enough that the old parser's quadratic runs still end in a second or two.
    static let size = 4_000
    /// Steps per byte a single pass may take: each byte is looked at by the main loop and
    /// by at most a few look-aheads that stop where the next loop step starts.
    static let stepsPerByte = 8

    static func work(_ format: PageFormat, _ text: [UInt8]) -> Int {
        ParseWork.counting { PageParser(reader: DateReader(order: .dmy)).parse(text, format: format) }.steps
    }

    static let formatByte: [PageFormat: UInt8] = [.markdown: 0, .html: 1, .text: 2]

    @Test("each is read in one pass: twice the page is twice the work", arguments: pages.map(\.name))
    func linear(_ name: String) throws {
        let page = try #require(Self.pages.first { $0.name == name })
        let small = Array(page.make(Self.size).utf8)
        let large = Array(page.make(2 * Self.size).utf8)
        let (smallWork, largeWork) = (Self.work(page.format, small), Self.work(page.format, large))
        #expect(smallWork >= small.count, "\(name): \(smallWork) steps for \(small.count) bytes: the count misses the main loop")
        #expect(largeWork <= Self.stepsPerByte * large.count, "\(name): \(largeWork) steps for \(large.count) bytes")
        #expect(Double(largeWork) <= 2.5 * Double(smallWork), "\(name): \(smallWork) steps for \(small.count) bytes, \(largeWork) for \(large.count)")
        // And the page keeps every property the fuzzers check.
        #expect(FuzzTarget.page.check([Self.formatByte[page.format]!] + small).isEmpty)
    }
}
