import Foundation
import NewsletterTestSupport
import Testing

@testable import NewsletterCompose
@testable import NewsletterCore

/// The HTML part must work for carers reading on a phone, with low vision, with a screen
/// reader, in dark mode, and in mail clients that strip <style>.
@Suite("Accessible HTML emails")
struct AccessibleHTMLTests {
    static func messages() async throws -> [(String, String)] {
        let f = try ComposeFixture()
        let ann = try f.subscriber("ann@example.org", name: "Ann", topics: ["money"], at: f.monday - 86400)
        let events = [
            try f.event("money/a.md", title: "Benefits", topics: ["money"], at: f.monday - 60),
            try f.event("blog/b.md", title: "A post", kind: .postPublished, at: f.monday - 50),
        ]
        let digest = try f.digests.edition(events, cadence: .weekly, hasName: true, at: f.monday)
        let blog = try BlogComposer(store: f.store, environment: f.environment).draft([events[1]], hasName: false, at: f.monday)
        let signup = SignupMessages(environment: f.environment)
        var pendingAnn = ann
        pendingAnn.status = .pending
        let confirm = try signup.message(.confirm, for: pendingAnn, at: f.monday, links: [.confirm], listMail: false)
        let welcome = try signup.message(.welcome, for: ann, at: f.monday, links: [.unsubscribe, .preferences], listMail: true)
        func html(_ data: Data) async throws -> String {
            try #require(try await PythonEmail.parse(data).parts.first { $0.type == "text/html" }).content
        }
        func complete(_ message: NewOutboxMessage) throws -> Data {
            guard case .complete(let data) = message.content else { throw TestSetupError("expected a complete message") }
            return data
        }
        func rendered(_ edition: NewEdition) throws -> Data {
            try PreparedEdition(Edition(id: 1, kind: edition.kind, subject: edition.subject, headers: edition.headers, text: edition.text, html: edition.html, createdAt: f.monday))
                .render(messageID: "1@example.org", to: ann.email, merge: f.environment.merge(for: ann, links: [.unsubscribe, .preferences]))
        }
        return [
            ("digest", try await html(try rendered(digest))), ("blog", try await html(try rendered(blog))),
            ("confirm", try await html(try complete(confirm))), ("welcome", try await html(try complete(welcome))),
        ]
    }

    @Test("structure: language, viewport, colour scheme, headings, presentation tables, no images or scripts")
    func structure() async throws {
        for (name, html) in try await Self.messages() {
            #expect(html.contains("<html lang=\"en\""), "\(name)")
            #expect(html.contains("name=\"viewport\""), "\(name)")
            #expect(html.contains("name=\"color-scheme\" content=\"light dark\""), "\(name)")
            #expect(html.contains("<h1"), "\(name)")
            #expect(html.contains("<title>"), "\(name)")
            let tables = html.components(separatedBy: "<table").count - 1
            #expect(tables > 0 && html.components(separatedBy: "<table role=\"presentation\"").count - 1 == tables, "\(name)")
            for banned in ["<img", "<script", "<style", "<link", "javascript:", "class=\""] {
                #expect(!html.lowercased().contains(banned), "\(name) contains \(banned)")
            }
            #expect(!html.contains("\u{E000}"), "\(name) has an unfilled placeholder")
        }
    }

    @Test("text is at least 16px, and nothing is wider than a 320px screen")
    func sizes() async throws {
        for (name, html) in try await Self.messages() {
            for size in Self.values(of: "font-size:", in: html) {
                #expect(Int(size.replacingOccurrences(of: "px", with: "")) ?? 0 >= 16, "\(name): font-size \(size)")
            }
            for width in Self.values(of: "width:", in: html) where !width.hasSuffix("%") {
                #expect((Int(width.replacingOccurrences(of: "px", with: "")) ?? 0) <= 320, "\(name): width \(width)")
            }
            #expect(!html.contains("width=\"6"), "\(name): a fixed table width")
        }
    }

    @Test("every text colour has at least 4.5:1 contrast with its background")
    func contrast() async throws {
        for (name, html) in try await Self.messages() {
            for style in Self.styles(in: html) {
                guard let color = Self.value(of: "color:", in: style).flatMap(Self.rgb) else { continue }
                let background = Self.value(of: "background-color:", in: style).flatMap(Self.rgb) ?? (1, 1, 1)
                #expect(Self.ratio(color, background) >= 4.5, "\(name): \(style)")
            }
        }
    }

    static func styles(in html: String) -> [String] {
        html.components(separatedBy: "style=\"").dropFirst().compactMap { $0.components(separatedBy: "\"").first }
    }

    static func values(of property: String, in html: String) -> [String] {
        styles(in: html).compactMap { value(of: property, in: $0) }
    }

    /// The value of `property` in one style attribute, not matching inside a longer name
    /// (`color:` is not `background-color:`).
    static func value(of property: String, in style: String) -> String? {
        for declaration in style.split(separator: ";") {
            let parts = declaration.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2, parts[0] + ":" == property { return parts[1].split(separator: " ").first.map(String.init) }
        }
        return nil
    }

    static func rgb(_ hex: String) -> (Double, Double, Double)? {
        guard hex.hasPrefix("#"), hex.count == 7, let value = Int(hex.dropFirst(), radix: 16) else { return nil }
        return (Double(value >> 16 & 255) / 255, Double(value >> 8 & 255) / 255, Double(value & 255) / 255)
    }

    /// WCAG 2 contrast ratio.
    static func ratio(_ a: (Double, Double, Double), _ b: (Double, Double, Double)) -> Double {
        func luminance(_ c: (Double, Double, Double)) -> Double {
            func channel(_ v: Double) -> Double { v <= 0.03928 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4) }
            return 0.2126 * channel(c.0) + 0.7152 * channel(c.1) + 0.0722 * channel(c.2)
        }
        let (l1, l2) = (luminance(a), luminance(b))
        return (max(l1, l2) + 0.05) / (min(l1, l2) + 0.05)
    }
}
