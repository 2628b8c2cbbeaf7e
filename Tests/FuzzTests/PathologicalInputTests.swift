import NewsletterFuzzSupport
import Testing

/// Pages made to take time in the square of their size. The fuzzers' inputs are kilobytes,
/// too small to show it; a page of 300 KB of "<a" took about five minutes, a 5 MB page (the
/// default content.max_file_size) most of a day, while the daemon's watchdog allows a minute.
@Suite("Pathological pages")
struct PathologicalInputTests {
    static let size = 300_000

    static let pages: [(String, [UInt8])] = [
        ("HTML: tags that never close", [1] + Array(String(repeating: "<a", count: size / 2).utf8)),
        ("HTML: declarations that never close", [1] + Array(String(repeating: "<!", count: size / 2).utf8)),
        ("HTML: quoted attributes that never close", [1] + Array(String(repeating: "<meta a=\"", count: size / 9).utf8)),
        ("Markdown: brackets that never close", [0] + Array(String(repeating: "[", count: size).utf8)),
        ("Markdown: link targets that never close", [0] + Array(String(repeating: "[a](", count: size / 4).utf8)),
        ("Markdown: tags that never close", [0] + Array(("x " + String(repeating: "<a", count: size / 2)).utf8)),
        ("text: markers without dates", [2] + Array(("x\n" + String(repeating: "last updated on ", count: size / 16)).utf8)),
    ]

    @Test("each is read in one pass", arguments: pages.map(\.0))
    func linear(_ name: String) async {
        let page = Self.pages.first { $0.0 == name }!.1
        #expect(FuzzTarget.page.check(page).isEmpty)
    }
}
