import Foundation
import GRDB
import Logging
import NewsletterDelivery
import NewsletterStore
import NewsletterStoreTestSupport
import NewsletterTestSupport

@testable import NewsletterCore

/// A store in a temporary folder, a clock the test can move, and helpers to queue messages
/// and drain them through a real transport.
final class DeliveryFixture: @unchecked Sendable {
    let dir = TemporaryDirectory("delivery")
    let store: Store
    private let lock = NSLock()
    private var time = Date()

    init() throws {
        store = try TestDatabase.open(path: dir.path("db/newsletter.db"), busyTimeout: 10)
    }

    var now: Date {
        lock.lock()
        defer { lock.unlock() }
        return time
    }

    func advance(_ seconds: TimeInterval) {
        lock.lock()
        time += seconds
        lock.unlock()
    }

    var clock: @Sendable () -> Date { { [self] in now } }

    /// Adds an active subscriber; returns their id.
    func subscriber(_ email: String) throws -> Int64 {
        let directory = SubscriberDirectory(store: store, actor: "cli:test", now: clock)
        return try directory.add(NewSubscriber(email: EmailAddress(email)), wording: "test").id
    }

    /// Queues a complete message; returns its outbox id.
    @discardableResult
    func enqueue(to: String, subscriberID: Int64? = nil, kind: MessageKind = .digest, body: Data? = nil, from: String = "news@example.org")
        throws -> Int64
    {
        let messageID = "\(UUID().uuidString.lowercased())@example.org"
        let data = body ?? Self.message(from: from, to: to, messageID: messageID)
        let new = NewOutboxMessage(
            kind: kind, subscriberID: subscriberID, envelopeFrom: try EmailAddress(from), envelopeTo: try EmailAddress(to),
            messageID: messageID, content: .complete(data), notBefore: now)
        let at = now
        return try store.write { tx in try tx.enqueue(new, at: at) }
    }

    func message(_ id: Int64) throws -> OutboxMessage {
        guard let message = try store.read({ tx in try tx.outboxMessage(id: id) }) else { throw TestSetupError("no message \(id)") }
        return message
    }

    func state(_ id: Int64) throws -> DeliveryState { try message(id).state }

    func subscriberStatus(_ id: Int64) throws -> SubscriberStatus? {
        try store.read { tx in try tx.subscriber(id: id)?.status }
    }

    /// Runs SQL directly, for states the public API never produces.
    func execute(_ sql: String, _ arguments: SQLArguments = []) throws {
        try store.write { tx in try tx.db.execute(sql: sql, arguments: arguments) }
    }

    func smtp(port: Int, scheme: SMTPURL.Scheme = .smtp, tls: SMTPSettings.TLSMode = .none, connections: Int = 1) -> SMTPSettings {
        SMTPSettings(
            url: SMTPURL(scheme: scheme, host: "127.0.0.1", port: port), tls: tls, connections: connections, connectTimeout: 5,
            commandTimeout: 1, messageTimeout: 20)
    }

    func transport(_ settings: SMTPSettings, environment: [String: String] = [:]) throws -> SMTPTransport {
        try SMTPTransport(settings: settings, from: try Mailbox(parsing: "News <news@example.org>"), environment: environment)
    }

    func runner(
        _ transport: any MailTransport, connections: Int = 1, delivery: DeliverySettings = DeliverySettings(), maxPerSecond: Int = 0,
        options: DeliveryRunner.Options? = nil
    ) -> DeliveryRunner {
        var options = options ?? DeliveryRunner.Options(connections: connections)
        options.connections = connections
        options.connectionBackoff = 0.05
        return DeliveryRunner(
            store: store, transport: transport, renderer: CompleteMessageRenderer(), delivery: delivery, maxPerSecond: maxPerSecond,
            options: options, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }, now: clock)
    }

    /// A small RFC 5322 message with CRLF line ends.
    static func message(from: String, to: String, messageID: String, text: String = "Hello from the tests.") -> Data {
        Data(
            ("From: News <\(from)>\r\nTo: \(to)\r\nSubject: A test\r\nMessage-ID: <\(messageID)>\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\(text)\r\n").utf8)
    }
}

extension DeliveryRunner {
    /// `drain()` on a thread of its own: libcurl waits for the relay synchronously, and a test
    /// must not hold a thread of the cooperative pool while it does.
    func drainOffPool() async throws -> DrainReport {
        try await offPool { [self] in try self.drain() }
    }
}
