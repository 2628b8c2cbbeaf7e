import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NewsletterCompose
import NewsletterCore
import NewsletterStore
import NewsletterStoreTestSupport
import NewsletterTestSupport
import NewsletterWeb

/// A database, a config and the pages' router over them, with helpers to set up
/// subscribers, make link tokens and see what the store holds.
final class WebFixture: @unchecked Sendable {
    let dir = TemporaryDirectory("web")
    let settings: Settings
    let store: Store
    let state: WebState
    let metrics = WebMetrics()

    static let quiet = Logger(label: "web-test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// `http` adds lines to the `http:` section.
    init(http: [String] = [], templates: String = RepositoryPaths.templates) throws {
        let yaml = """
            database:
              path: data/newsletter.db
            site:
              name: Peak District Carers
              base_url: https://carers.example.org
            mail:
              from: "Peak District Carers <news@carers.example.org>"
              transport: maildir
              maildir: Maildir
            http:
              public_url: https://carers.example.org/newsletter
            \((["listen: 127.0.0.1:0"] + http).map { "  \($0)" }.joined(separator: "\n"))
            templates:
              dir: \(templates)

            """
        let file = try dir.write("newsletter.yaml", yaml)
        settings = try Settings.parse(yaml: yaml, file: file)
        store = try TestDatabase.open(path: settings.database.path)
        state = WebState(setup: try WebSetup(settings: settings, store: store), store: store, logger: Self.quiet, metrics: metrics)
    }

    /// The public listener's application; `live` ones listen on an ephemeral loopback port.
    func app(metrics access: ServiceRoutes.MetricsAccess = .loopback, publicPages: Bool = true) -> some ApplicationProtocol {
        Application(
            router: WebServer.router(state: state, metrics: access, publicPages: publicPages),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: Self.quiet)
    }

    var tokens: LinkTokens { LinkTokens(secret: try! LinkSecret.load(path: LinkSecret.path(forDatabase: settings.database.path))) }

    func token(_ subscriber: Subscriber, _ purpose: LinkTokens.Purpose) -> String {
        tokens.token(for: subscriber, purpose: purpose)
    }

    /// A page for each topic, so the forms offer (and accept) them.
    func addPages(topics: [String]) throws {
        try store.write { tx in
            for topic in topics {
                try tx.saveContentPage(
                    ContentPage(path: "\(topic)/index.md", kind: .page, status: .current, title: topic, url: "https://carers.example.org/\(topic)/",
                        topics: [topic], firstSeen: Date(), changedAt: Date()))
            }
        }
    }

    @discardableResult
    func add(_ email: String, status: SubscriberStatus = .active, topics: [String] = []) throws -> Subscriber {
        let directory = SubscriberDirectory(store: store, actor: "cli:test")
        var subscriber = try directory.add(
            NewSubscriber(email: try EmailAddress(email), status: status == .pending ? .pending : .active, topics: topics), wording: "test")
        if status == .unsubscribed {
            try directory.remove(try EmailAddress(email))
            subscriber = try directory.profile(try EmailAddress(email)).subscriber
        }
        return subscriber
    }

    func subscriber(_ email: String) throws -> Subscriber? {
        try store.read { tx in try tx.subscriber(key: email.lowercased()) }
    }

    func consent(_ subscriber: Subscriber) throws -> [ConsentEntry] {
        try store.read { tx in try tx.consentLog(subscriberID: subscriber.id) }
    }

    func outbox() throws -> [OutboxSummary] {
        var rows: [OutboxSummary] = []
        try store.read { tx in try tx.forEachOutboxSummary(states: []) { rows.append($0) } }
        return rows
    }

    /// Everything a request could change, as text: subscribers, their consent logs, the
    /// suppression list and the outbox.
    func snapshot() throws -> String {
        try store.read { tx in
            var lines: [String] = []
            try tx.forEachSubscriber(SubscriberFilter()) { subscriber in
                lines.append("\(subscriber)")
                lines += try tx.consentLog(subscriberID: subscriber.id).map { "  \($0)" }
            }
            lines.append("suppression \(try tx.suppressionCounts().sorted { $0.key.rawValue < $1.key.rawValue })")
            try tx.forEachOutboxSummary(states: []) { lines.append("\($0)") }
            return lines.joined(separator: "\n")
        }
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
}

/// A form body, `application/x-www-form-urlencoded`.
func formBody(_ fields: [(String, String)]) -> ByteBuffer {
    let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._*"))
    func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: allowed)!.replacingOccurrences(of: "%20", with: "+")
    }
    return ByteBuffer(string: fields.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&"))
}

let formHeaders: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
