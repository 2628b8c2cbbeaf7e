import Foundation
import Testing
@testable import NewsletterContent

/// A small deterministic fuzzer: mutated real-world fixtures must produce a result or a
/// typed error, never a crash, hang or untyped error.
@Suite("Hostile input")
struct HostileInputTests {
    private struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    private static let fixtures = [
        SitemapFixtures.yoastIndex, SitemapFixtures.drupalSimpleSitemap, SitemapFixtures.umbraco,
        FeedFixtures.wordpressRSS, FeedFixtures.bloggerAtom, FeedFixtures.relativeAtom, FeedFixtures.rdf,
    ]

    private static let interesting: [[UInt8]] = [
        Array("<".utf8), Array(">".utf8), Array("&".utf8), Array("&#x110000;".utf8), Array("]]>".utf8),
        Array("<![CDATA[".utf8), Array("<!DOCTYPE x [<!ENTITY a \"b\">]>".utf8), Array("&nbsp;".utf8),
        [0x00], [0xFF, 0xFE], [0xC3], [0x1F, 0x8B], Array("</".utf8), Array("\"".utf8),
    ]

    @Test("thousands of mutated sitemaps and feeds never crash either parser")
    func mutations() {
        var rng = Generator(state: 20_250_514)
        var outcomes = 0
        for round in 0..<1_500 {
            var bytes = Array(Self.fixtures[round % Self.fixtures.count].utf8)
            for _ in 0..<Int.random(in: 1...6, using: &rng) {
                guard !bytes.isEmpty else { break }
                let position = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: bytes[position] = UInt8.random(in: 0...255, using: &rng)
                case 1: bytes.remove(at: position)
                case 2: bytes.insert(contentsOf: Self.interesting.randomElement(using: &rng) ?? [], at: position)
                default: bytes = Array(bytes.prefix(position))
                }
            }
            outcomes += classify { try SitemapDocument.parse(bytes, limits: WebDocumentLimits(maxEntries: 50)) }
            outcomes += classify { try FeedDocument.parse(bytes, limits: WebDocumentLimits(maxEntries: 50)) }
        }
        #expect(outcomes == 3_000)
    }

    @Test("random bytes and random gzip streams fail with typed errors")
    func randomBytes() {
        var rng = Generator(state: 7)
        var outcomes = 0
        for round in 0..<500 {
            var bytes = (0..<Int.random(in: 0...512, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if round % 2 == 0 { bytes = [0x1F, 0x8B, 0x08, 0x00] + bytes }
            outcomes += classify { try SitemapDocument.parse(bytes) }
            outcomes += classify { try FeedDocument.parse(bytes) }
            outcomes += classify { _ = try Gzip.inflate(bytes, limit: 10_000) }
        }
        #expect(outcomes == 1_500)
    }

    @Test("deeply nested elements are refused or read without exhausting the stack")
    func deepNesting() {
        let depth = 100_000
        let text = "<urlset>" + String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth) + "</urlset>"
        #expect(throws: WebDocumentError.invalidXML("line 1: elements are nested more than 1000 deep")) {
            try SitemapDocument.parse(Array(text.utf8))
        }
        let feed = "<rss><channel><item><description>" + String(repeating: "<b>", count: depth) + "</description></item></channel></rss>"
        #expect(classify { try FeedDocument.parse(Array(feed.utf8)) } == 1)
    }

    @Test("a quadratic-blowup entity document is refused quickly")
    func quadraticBlowup() {
        let big = String(repeating: "A", count: 50_000)
        let text = "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY a \"\(big)\">]><rss><channel><title>"
            + String(repeating: "&a;", count: 50_000) + "</title></channel></rss>"
        let start = Date()
        #expect(throws: WebDocumentError.invalidXML("line 1: an undefined entity is used")) {
            try FeedDocument.parse(Array(text.utf8))
        }
        #expect(Date().timeIntervalSince(start) < 2)
    }

    /// 1 when the call returned or threw a WebDocumentError; 0 for any other error.
    private func classify<T>(_ body: () throws -> T) -> Int {
        do {
            _ = try body()
            return 1
        } catch is WebDocumentError {
            return 1
        } catch {
            Issue.record("unexpected error type: \(error)")
            return 0
        }
    }
}
