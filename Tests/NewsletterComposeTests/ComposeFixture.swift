import Foundation
import NewsletterStore
import NewsletterStoreTestSupport
import NewsletterTestSupport

@testable import NewsletterCompose
@testable import NewsletterCore

/// A store, a compose environment with a fixed secret and the shipped templates, and
/// helpers to add subscribers and events at chosen times.
final class ComposeFixture: @unchecked Sendable {
    let dir = TemporaryDirectory("compose")
    let store: Store
    let environment: ComposeEnvironment
    /// Monday 16 November 2026, 08:00 UTC (GMT in London).
    let monday = Date(timeIntervalSince1970: 1_794_816_000)

    init(sendEmpty: Bool = false, blogWindow: TimeInterval = 600, signup: SignupSettings = SignupSettings()) throws {
        store = try TestDatabase.open(path: dir.path("newsletter.db"))
        environment = ComposeEnvironment(
            siteName: "Peak District Carers", siteURL: URL(string: "https://carers.example.org"),
            postalAddress: "1 Market Place, Bakewell DE45 1AA", publicURL: URL(string: "https://carers.example.org/newsletter")!,
            from: try Mailbox(parsing: "Peak District Carers <news@carers.example.org>"), replyTo: nil,
            timeZone: TimeZone(identifier: "Europe/London")!, sendEmpty: sendEmpty, blogWindow: blogWindow, signup: signup,
            templates: try TemplateSet.load(folder: RepositoryPaths.templates), tokens: LinkTokens(secret: Data(repeating: 1, count: 32)))
    }

    var digests: DigestComposer { DigestComposer(store: store, environment: environment, chunkSize: 3) }

    @discardableResult
    func subscriber(
        _ email: String, name: String? = nil, digest: DigestCadence = .weekly, blog: BlogMode = .digest, topics: [String] = [],
        status: SubscriberStatus = .active, at time: Date
    ) throws -> Subscriber {
        let directory = SubscriberDirectory(store: store, actor: "test", now: { time })
        return try directory.add(
            NewSubscriber(email: EmailAddress(email), name: name, status: status, digest: digest, blog: blog, topics: topics), wording: "test")
    }

    @discardableResult
    func event(
        _ path: String, title: String, kind: ContentEventKind = .pageUpdated, topics: [String] = [], marker: String = "2026-11-10",
        summary: String? = nil, at time: Date
    ) throws -> ContentEvent {
        try store.write { tx in
            try tx.recordEvent(
                NewContentEvent(
                    kind: kind, path: path, title: title, summary: summary ?? "All about \(title.lowercased()).",
                    url: "https://carers.example.org/\(path.replacingOccurrences(of: ".md", with: ""))", topics: topics, marker: marker),
                detectedAt: time)!
        }
    }

    func queued() throws -> [OutboxMessage] {
        try store.read { tx in
            try Int64.fetchAll(tx.db, sql: "SELECT id FROM outbox ORDER BY id").compactMap { try tx.outboxMessage(id: $0) }
        }
    }

    /// Each queued message rendered, keyed by recipient.
    func rendered() throws -> [String: Data] {
        let renderer = EditionRenderer(store: store)
        return try Dictionary(uniqueKeysWithValues: queued().map { ($0.envelopeTo, try renderer.render($0)) })
    }
}

import GRDB
