import Foundation
import NewsletterTestSupport
import Testing

@testable import NewsletterCompose
@testable import NewsletterCore

/// Whole messages with a fixed clock, ids and tokens, compared byte for byte with files in
/// Golden/. After a deliberate change to the templates or the serializer, regenerate them with
/// `UPDATE_GOLDEN=1 swift test --filter GoldenMessageTests` and review the diff.
@Suite("Golden messages")
struct GoldenMessageTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    let f: ComposeFixture

    init() throws {
        f = try ComposeFixture()
    }

    func events() throws -> [ContentEvent] {
        let t = f.monday - 86400
        return [
            try f.event(
                "advocacy/advocacy-services.md", title: "Advocacy services", topics: ["advocacy"], marker: "2022-05-05",
                summary: "How an independent advocate can help you have your say, secure your rights and get the support you need.", at: t),
            try f.event(
                "advocacy/what-is-advocacy.md", title: "What is advocacy?", topics: ["advocacy"], marker: "2024-03-12T09:30:00Z",
                summary: "What an advocate does, how to ask for one, and the different kinds of advocacy.", at: t + 1),
            try f.event(
                "money/carers-allowance.md", title: "Carer's Allowance & other benefits", topics: ["money"], marker: "2026-11-10",
                summary: "Who can claim, how much it is (£83.30 a week) and what to do if you are turned down.", at: t + 2),
            try f.event(
                "blog/respite-week.md", title: "Zoë's week off: finding respite care", kind: .postPublished, topics: ["respite"],
                marker: "2026-11-12", summary: "A carer tells us how she found a week of respite, and what she wishes she had known.", at: t + 3),
        ]
    }

    func check(_ name: String, _ data: Data) throws {
        let file = Self.golden.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] != nil {
            try data.write(to: file)
        }
        let expected = try Data(contentsOf: file)
        #expect(data == expected, "\(name) differs from Golden/\(name); regenerate with UPDATE_GOLDEN=1 if the change is intended")
    }

    func render(_ edition: NewEdition, for subscriber: Subscriber, links: [LinkTokens.Purpose]) throws -> Data {
        let prepared = PreparedEdition(Edition(
            id: 1, kind: edition.kind, subject: edition.subject, headers: edition.headers, text: edition.text, html: edition.html, createdAt: f.monday))
        return try prepared.render(
            messageID: "20261116T080000.0000000000000001.1@carers.example.org", to: subscriber.email,
            merge: f.environment.merge(for: fixedLinkKey(subscriber), links: links))
    }

    /// Each row gets a random link key; the golden files need the same tokens every run.
    func fixedLinkKey(_ subscriber: Subscriber) -> Subscriber {
        var fixed = subscriber
        fixed.linkKey = Data(repeating: 0x5A, count: 16)
        return fixed
    }

    @Test("a weekly digest with pages in two topics and a blog post")
    func digest() async throws {
        let ann = try f.subscriber("ann.o-neill@example.org", name: "Siobhán O'Neill", at: f.monday - 7 * 86400)
        let edition = try f.digests.edition(try events(), cadence: .weekly, hasName: true, at: f.monday)
        let data = try render(edition, for: ann, links: [.unsubscribe, .preferences])
        try check("digest.eml", data)
        try await ParseBack.check(data, expectTo: "Siobhán O'Neill <ann.o-neill@example.org>", expectSubject: "Peak District Carers: 3 pages updated and 1 new blog post", parts: 2)
    }

    @Test("a blog notification to someone without a name")
    func blog() async throws {
        let bob = try f.subscriber("bob@example.org", blog: .immediate, at: f.monday - 7 * 86400)
        let posts = try events().filter { $0.kind == .postPublished }
        let data = try render(try BlogComposer(store: f.store, environment: f.environment).draft(posts, hasName: false, at: f.monday), for: bob, links: [.unsubscribe, .preferences])
        try check("blog.eml", data)
        try await ParseBack.check(data, expectTo: "bob@example.org", expectSubject: "New on the Peak District Carers blog: Zoë's week off: finding respite care", parts: 2)
    }
}

/// Every generated message must parse cleanly with an independent parser.
enum ParseBack {
    static func check(_ data: Data, expectTo: String, expectSubject: String, parts: Int) async throws {
        let parsed = try await PythonEmail.parse(data)
        #expect(parsed.defects.isEmpty, "\(parsed.defects)")
        #expect(parsed.maxLineLength <= 998)
        #expect(parsed.header("To") == expectTo)
        #expect(parsed.header("Subject") == expectSubject)
        #expect(parsed.parts.count == parts)
        #expect(parsed.parts.first?.type == "text/plain")
        if parts == 2 { #expect(parsed.parts.last?.type == "text/html") }
        #expect(parsed.parts.allSatisfy { $0.charset == "utf-8" })
        for name in ["Date", "From", "Message-ID", "MIME-Version"] { #expect(parsed.header(name) != nil, "\(name) missing") }
        let raw = String(decoding: data, as: UTF8.self)
        #expect(!raw.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "bare LF in the message")
        #expect(!raw.replacingOccurrences(of: "\r\n", with: "").contains("\r"), "bare CR in the message")
    }
}
