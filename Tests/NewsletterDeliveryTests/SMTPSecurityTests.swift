import Foundation
import Logging
import NewsletterCore
import NewsletterDelivery
import NewsletterTestSupport
import Testing

@Suite("TLS and login with the relay")
struct SMTPSecurityTests {
    @Test("STARTTLS with a certificate from the configured CA: the message goes encrypted")
    func startTLS() async throws {
        let fixture = try DeliveryFixture()
        let pki = try await TestCertificates(in: fixture.dir)
        let server = try await ScriptedSMTPServer(in: fixture.dir, arguments: ["--starttls", pki.serverCertificate, pki.serverKey])
        var settings = fixture.smtp(port: server.port, tls: .starttls)
        settings.caFile = pki.caCertificate
        let id = try fixture.enqueue(to: "carer@example.org")

        let report = try await fixture.runner(try fixture.transport(settings)).drainOffPool()

        #expect(report.sent == 1)
        #expect(try fixture.state(id) == .sent)
        #expect(server.messages.first?["tls"] as? Bool == true)
    }

    @Test("implicit TLS (smtps://) with the configured CA")
    func implicitTLS() async throws {
        let fixture = try DeliveryFixture()
        let pki = try await TestCertificates(in: fixture.dir)
        let server = try await ScriptedSMTPServer(in: fixture.dir, arguments: ["--implicit-tls", pki.serverCertificate, pki.serverKey])
        var settings = fixture.smtp(port: server.port, scheme: .smtps, tls: .tls)
        settings.caFile = pki.caCertificate
        try fixture.enqueue(to: "carer@example.org")

        let report = try await fixture.runner(try fixture.transport(settings)).drainOffPool()

        #expect(report.sent == 1)
        #expect(server.messages.count == 1)
    }

    @Test("a certificate the CA did not sign is refused: nothing is sent, the message waits")
    func wrongCertificate() async throws {
        let fixture = try DeliveryFixture()
        let pki = try await TestCertificates(in: fixture.dir)
        let server = try await ScriptedSMTPServer(in: fixture.dir, arguments: ["--starttls", pki.wrongCertificate, pki.wrongKey])
        var settings = fixture.smtp(port: server.port, tls: .starttls)
        settings.caFile = pki.caCertificate
        let id = try fixture.enqueue(to: "carer@example.org")

        let report = try await fixture.runner(try fixture.transport(settings)).drainOffPool()

        #expect(report.sent == 0)
        #expect(report.totals.connectionFailures == 1)
        let message = try fixture.message(id)
        #expect(message.state == .deferred)
        #expect(message.lastText?.contains("TLS") == true, "\(message.lastText ?? "nil")")
        #expect(server.messages.isEmpty)
    }

    @Test("STARTTLS is required: a relay that does not offer it gets nothing")
    func startTLSRequired() async throws {
        let fixture = try DeliveryFixture()
        let server = try await ScriptedSMTPServer(in: fixture.dir)
        let id = try fixture.enqueue(to: "carer@example.org")

        _ = try await fixture.runner(try fixture.transport(fixture.smtp(port: server.port, tls: .starttls))).drainOffPool()

        let message = try fixture.message(id)
        #expect(message.state == .deferred)
        #expect(message.lastText?.contains("STARTTLS") == true, "\(message.lastText ?? "nil")")
        #expect(server.messages.isEmpty)
    }

    @Test("AUTH with the password from smtp.password_file")
    func authSucceeds() async throws {
        let fixture = try DeliveryFixture()
        let server = try await ScriptedSMTPServer(in: fixture.dir, arguments: ["--auth", "relay-user:s3cret pass"])
        var settings = fixture.smtp(port: server.port)
        settings.username = "relay-user"
        settings.passwordFile = try fixture.dir.write("password", "s3cret pass\n")
        chmod(settings.passwordFile!, 0o600)
        try fixture.enqueue(to: "carer@example.org")

        let report = try await fixture.runner(try fixture.transport(settings)).drainOffPool()

        #expect(report.sent == 1)
        #expect(server.events("auth").first?["ok"] as? Bool == true)
        #expect(server.messages.first?["login"] as? String == "relay-user")
    }

    @Test("AUTH with the password from $CREDENTIALS_DIRECTORY/smtp-password")
    func authFromCredentials() async throws {
        let fixture = try DeliveryFixture()
        let server = try await ScriptedSMTPServer(in: fixture.dir, arguments: ["--auth", "relay-user:from-systemd"])
        var settings = fixture.smtp(port: server.port)
        settings.username = "relay-user"
        try fixture.dir.write("credentials/smtp-password", "from-systemd")
        try fixture.enqueue(to: "carer@example.org")

        let transport = try fixture.transport(settings, environment: ["CREDENTIALS_DIRECTORY": fixture.dir.path("credentials")])
        #expect(try await fixture.runner(transport).drainOffPool().sent == 1)
    }

    @Test("a wrong password is a connection failure: the message waits and is not failed")
    func authFails() async throws {
        let fixture = try DeliveryFixture()
        let server = try await ScriptedSMTPServer(in: fixture.dir, arguments: ["--auth", "relay-user:right"])
        var settings = fixture.smtp(port: server.port)
        settings.username = "relay-user"
        settings.passwordFile = try fixture.dir.write("password", "wrong")
        let id = try fixture.enqueue(to: "carer@example.org")

        let report = try await fixture.runner(try fixture.transport(settings)).drainOffPool()

        #expect(report.totals.connectionFailures == 1)
        let message = try fixture.message(id)
        #expect(message.state == .deferred)
        #expect(message.lastText?.contains("refused the login") == true, "\(message.lastText ?? "nil")")
        #expect(server.events("auth").first?["ok"] as? Bool == false)
        #expect(server.messages.isEmpty)
    }

    @Test("a username without a password anywhere is a config error, and no password is read from the YAML")
    func missingPassword() throws {
        let fixture = try DeliveryFixture()
        var settings = fixture.smtp(port: 25)
        settings.username = "relay-user"
        #expect(throws: NewsletterError.config(
            "smtp.username is set but there is no password: set smtp.password_file, or give the service the credential smtp-password")
        ) { try fixture.transport(settings) }

        settings.passwordFile = fixture.dir.path("absent")
        let error = #expect(throws: NewsletterError.self) { try fixture.transport(settings) }
        #expect(error?.exitStatus == .config)
    }
}

@Suite("The SMTP password file")
struct PasswordFileTests {
    @Test("a password file others can read is a warning that names the file, never the password")
    func worldReadable() throws {
        let fixture = try DeliveryFixture()
        var settings = fixture.smtp(port: 2525)
        settings.username = "relay-user"
        settings.passwordFile = try fixture.dir.write("password", "top-secret\n")
        chmod(settings.passwordFile!, 0o644)
        let records = LogRecords()
        let logger = Logger(label: "test") { _ in RecordingLogHandler(records: records) }

        _ = try SMTPTransport(settings: settings, from: try Mailbox(parsing: "news@example.org"), environment: [:], logger: logger)

        let lines = records.lines
        #expect(lines.count == 1)
        #expect(lines.first?.contains("readable by the service alone") == true)
        #expect(lines.first?.contains(settings.passwordFile!) == true)
        #expect(!lines.joined().contains("top-secret"))

        chmod(settings.passwordFile!, 0o600)
        let quiet = LogRecords()
        _ = try SMTPTransport(
            settings: settings, from: try Mailbox(parsing: "news@example.org"), environment: [:],
            logger: Logger(label: "test") { _ in RecordingLogHandler(records: quiet) })
        #expect(quiet.lines.isEmpty)
    }
}

final class LogRecords: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    var lines: [String] {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
    func append(_ line: String) {
        lock.lock()
        stored.append(line)
        lock.unlock()
    }
}

struct RecordingLogHandler: LogHandler {
    let records: LogRecords
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let fields = (event.metadata ?? [:]).merging(metadata) { a, _ in a }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        records.append("\(event.level) \(event.message) \(fields.joined(separator: " "))")
    }
}
