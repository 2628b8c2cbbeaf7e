import Testing

@testable import NewsletterCore

@Suite("Topic slugs")
struct TopicTests {
    @Test("names become slugs", arguments: [
        ("Mental Health", "mental-health"), ("mental_health", "mental-health"), ("  Young carers!  ", "young-carers"),
        ("Money & benefits", "money-benefits"), ("Gofal/Cymraeg", "gofal-cymraeg"), ("Zoë", "zoë"), ("2024", "2024"),
    ])
    func slugs(_ name: String, _ slug: String) {
        #expect(Topic.slug(name) == slug)
    }

    @Test("lists are deduplicated and empty topics refused")
    func lists() throws {
        #expect(try Topic.slugs(semicolonSeparated: "Carers; mental health;carers; ") == ["carers", "mental-health"])
        #expect(throws: NewsletterError.self) { try Topic.slugs(["!!!"]) }
        #expect(throws: NewsletterError.self) { try Topic.slugs([String(repeating: "a", count: 65)]) }
    }
}
