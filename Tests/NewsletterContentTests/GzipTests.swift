import Foundation
import Testing
@testable import NewsletterContent

@Suite("Gzip inflation")
struct GzipTests {
    @Test("gzip magic bytes are recognised and other content is not")
    func magic() {
        #expect(Gzip.isGzip([0x1F, 0x8B, 0x08, 0x00]))
        #expect(!Gzip.isGzip(Array("<?xml".utf8)))
        #expect(!Gzip.isGzip([0x1F]))
        #expect(!Gzip.isGzip([]))
    }

    @Test("a sitemap compressed with deflate in gzip format comes back byte for byte")
    func roundTrip() throws {
        let original = WebDocumentTestSupport.bytes(SitemapFixtures.yoastPostSitemap)
        let compressed = WebDocumentTestSupport.compress(original)
        #expect(Gzip.isGzip(compressed))
        #expect(compressed.count < original.count)
        #expect(try Gzip.inflate(compressed, limit: 1_000_000) == original)
    }

    @Test("zlib-wrapped data is also accepted")
    func zlibFormat() throws {
        let original = WebDocumentTestSupport.bytes(String(repeating: "carers ", count: 1_000))
        let compressed = WebDocumentTestSupport.compress(original, windowBits: 15)
        #expect(compressed.first == 0x78)
        #expect(try Gzip.inflate(compressed, limit: 1_000_000) == original)
    }

    @Test("output exactly at the limit is accepted and one byte over is refused")
    func limitBoundary() throws {
        let original = [UInt8](repeating: 65, count: 200_000)
        let compressed = WebDocumentTestSupport.compress(original)
        #expect(try Gzip.inflate(compressed, limit: 200_000).count == 200_000)
        #expect(throws: WebDocumentError.tooLarge(limit: 199_999)) {
            try Gzip.inflate(compressed, limit: 199_999)
        }
    }

    @Test("a gzip bomb of 10 MB of zeros stops at a 1 MB limit quickly")
    func bomb() throws {
        let zeros = [UInt8](repeating: 0, count: 10_000_000)
        let bomb = WebDocumentTestSupport.compress(zeros)
        #expect(bomb.count < 20_000)
        let start = Date()
        #expect(throws: WebDocumentError.tooLarge(limit: 1_000_000)) {
            try Gzip.inflate(bomb, limit: 1_000_000)
        }
        #expect(Date().timeIntervalSince(start) < 1.0)
    }

    @Test("a gzip bomb handed to the sitemap parser is refused as too large")
    func bombThroughSitemap() {
        let bomb = WebDocumentTestSupport.compress([UInt8](repeating: 0x20, count: 10_000_000))
        #expect(throws: WebDocumentError.tooLarge(limit: 2_000_000)) {
            try SitemapDocument.parse(bomb, limits: WebDocumentLimits(maxBytes: 2_000_000))
        }
    }

    @Test("a truncated gzip download is reported as corrupt, not as a short document")
    func truncated() {
        let compressed = WebDocumentTestSupport.compress(WebDocumentTestSupport.bytes(SitemapFixtures.yoastPostSitemap))
        let cut = Array(compressed.prefix(compressed.count / 2))
        #expect {
            try Gzip.inflate(cut, limit: 1_000_000)
        } throws: { error in
            guard case WebDocumentError.corrupt(let detail) = error else { return false }
            return detail.contains("ends before")
        }
        let headerOnly = Array(compressed.prefix(10))
        #expect(throws: WebDocumentError.self) { try Gzip.inflate(headerOnly, limit: 1_000_000) }
    }

    @Test("gzip magic followed by garbage is reported as corrupt")
    func garbage() {
        let garbage: [UInt8] = [0x1F, 0x8B, 0x08, 0x00] + [UInt8](repeating: 0xFF, count: 64)
        #expect {
            try Gzip.inflate(garbage, limit: 1_000_000)
        } throws: { error in
            guard case WebDocumentError.corrupt = error else { return false }
            return true
        }
        #expect(throws: WebDocumentError.corrupt("the file is empty")) { try Gzip.inflate([], limit: 10) }
    }

    @Test("concatenated gzip members are decompressed one after another")
    func concatenatedMembers() throws {
        let first = WebDocumentTestSupport.bytes("<urlset>")
        let second = WebDocumentTestSupport.bytes("</urlset>")
        let joined = WebDocumentTestSupport.compress(first) + WebDocumentTestSupport.compress(second)
        #expect(try Gzip.inflate(joined, limit: 1_000) == first + second)
    }

    @Test("trailing bytes after the last gzip member are ignored, as gzip(1) does")
    func trailingGarbage() throws {
        let original = WebDocumentTestSupport.bytes("<urlset/>")
        let padded = WebDocumentTestSupport.compress(original) + [0, 0, 0, 0, 0, 0, 0, 0]
        #expect(try Gzip.inflate(padded, limit: 1_000) == original)
    }

    @Test("a negative limit refuses any output instead of trapping")
    func negativeLimit() {
        let compressed = WebDocumentTestSupport.compress([1, 2, 3])
        #expect(throws: WebDocumentError.tooLarge(limit: 0)) { try Gzip.inflate(compressed, limit: -5) }
    }
}
