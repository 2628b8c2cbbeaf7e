import Foundation
import Testing
@testable import NewsletterContent

@Suite("Date parsing")
struct FeedDateTests {
    @Test("W3C Datetime forms used in sitemap lastmod are all read", arguments: [
        ("2025", "2025-01-01T00:00:00Z"),
        ("2025-05", "2025-05-01T00:00:00Z"),
        ("2025-05-14", "2025-05-14T00:00:00Z"),
        ("2025-05-14T09:12+01:00", "2025-05-14T08:12:00Z"),
        ("2025-05-14T09:12:33Z", "2025-05-14T09:12:33Z"),
        ("2025-05-14T09:12:33.45Z", "2025-05-14T09:12:33.450Z"),
        ("2025-05-14T09:12:33.4500000-05:00", "2025-05-14T14:12:33.450Z"),
        ("2025-05-14T09:12:33+0100", "2025-05-14T08:12:33Z"),
        ("2025-05-14T09:12:33+01", "2025-05-14T08:12:33Z"),
        ("2025-05-14 09:12:33", "2025-05-14T09:12:33Z"),
        ("2025-05-14 09:12:33 +01:00", "2025-05-14T08:12:33Z"),
        ("2025-05-14t09:12:33z", "2025-05-14T09:12:33Z"),
        ("  2025-05-14T09:12:33Z\n", "2025-05-14T09:12:33Z"),
        ("2024-02-29T23:59:60Z", "2024-02-29T23:59:59Z"),
    ])
    func w3c(input: String, expected: String) {
        #expect(FeedDate.parse(input) == WebDocumentTestSupport.date(expected))
    }

    @Test("RFC 822 forms used in RSS pubDate are all read", arguments: [
        ("Tue, 03 Dec 2024 10:00:00 +0000", "2024-12-03T10:00:00Z"),
        ("Tue, 03 Dec 2024 10:00:00 GMT", "2024-12-03T10:00:00Z"),
        ("Tue, 3 Dec 2024 10:00:00 -0500", "2024-12-03T15:00:00Z"),
        ("03 Dec 2024 10:00:00 +0000", "2024-12-03T10:00:00Z"),
        ("Tue, 03 Dec 24 10:00:00 GMT", "2024-12-03T10:00:00Z"),
        ("Sun, 01 Jun 99 10:00:00 GMT", "1999-06-01T10:00:00Z"),
        ("Tue, 03 Dec 2024 10:00 GMT", "2024-12-03T10:00:00Z"),
        ("Sat, 14 Jun 2025 10:00:00 BST", "2025-06-14T09:00:00Z"),
        ("Tue, 03 Dec 2024 10:00:00 EST", "2024-12-03T15:00:00Z"),
        ("Tue, 03 Dec 2024 10:00:00 PDT", "2024-12-03T17:00:00Z"),
        ("Tue, 03 Dec 2024 10:00:00 CET", "2024-12-03T09:00:00Z"),
        ("Tue, 03 Dec 2024 10:00:00 UT", "2024-12-03T10:00:00Z"),
        ("Tue, 03 Dec 2024 10:00:00 +0000 (UTC)", "2024-12-03T10:00:00Z"),
        ("Tuesday, 03 December 2024 10:00:00 GMT", "2024-12-03T10:00:00Z"),
        ("Tue, Dec 03 2024 10:00:00 GMT", "2024-12-03T10:00:00Z"),
        ("Tue Dec 03 10:00:00 2024", "2024-12-03T10:00:00Z"),
        ("Tue, 03 Dec 2024 10:00:00 GMT+0100", "2024-12-03T09:00:00Z"),
        ("Tue, 03 Dec 2024 10:00:00 +01:00", "2024-12-03T09:00:00Z"),
        ("03 Dec 2024", "2024-12-03T00:00:00Z"),
        ("Tue,03 Dec 2024 9:05:00 +0000", "2024-12-03T09:05:00Z"),
    ])
    func rfc822(input: String, expected: String) {
        #expect(FeedDate.parse(input) == WebDocumentTestSupport.date(expected))
    }

    @Test("nonsense and impossible dates give nil rather than a wrong date", arguments: [
        "", "yesterday", "2025-13-01", "2025-02-30", "2023-02-29", "2025-05-14T25:00:00Z",
        "2025-05-14T10:61:00Z", "2025-05-14T10:00:00+25:00", "Tue, 32 Dec 2024 10:00:00 GMT",
        "Tue, 03 Foo 2024 10:00:00 GMT", "Tue, 03 Dec 10:00:00 GMT", "2025-05-14T10:00:00Zjunk",
        "99999-01-01", "0000-01-01", String(repeating: "9", count: 5_000), "Marzipan 3 2024",
        "2025-5-4", "\u{0}\u{0}\u{0}",
    ])
    func invalid(input: String) {
        #expect(FeedDate.parse(input) == nil)
    }

    @Test("leap years are handled")
    func leapYears() {
        #expect(FeedDate.parse("2024-02-29") == WebDocumentTestSupport.date("2024-02-29T00:00:00Z"))
        #expect(FeedDate.parse("2000-02-29") == WebDocumentTestSupport.date("2000-02-29T00:00:00Z"))
        #expect(FeedDate.parse("1900-02-29") == nil)
    }

    @Test("ISO formatting for fallback ids round-trips through the parser")
    func iso8601() throws {
        let date = try #require(FeedDate.parse("Tue, 03 Dec 2024 10:00:07 +0000"))
        #expect(FeedDate.iso8601(date) == "2024-12-03T10:00:07Z")
        #expect(FeedDate.parse(FeedDate.iso8601(date)) == date)
        #expect(FeedDate.iso8601(Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59Z")
    }
}
