import Foundation
import NewsletterCore
import Testing

@Suite("The smtp: and delivery: config sections")
struct DeliveryConfigTests {
    func parse(_ yaml: String) throws -> Settings {
        try Settings.parse(yaml: yaml, file: "/etc/carers-newsletter/newsletter.yaml")
    }

    @Test("defaults when the sections are absent")
    func defaults() throws {
        let settings = try parse("database:\n  path: /tmp/x.db\n")
        #expect(settings.smtp.url == nil)
        #expect(settings.smtp.tls == .starttls)
        #expect(settings.smtp.connections == 4)
        #expect(settings.smtp.maxPerSecond == 0 && settings.smtp.maxPerHour == 0)
        #expect(settings.delivery == DeliverySettings())
        #expect(settings.delivery.keepSentDays == 7)
        #expect(settings.delivery.maxAge == 3 * 86400)
        #expect(settings.delivery.retryInitial == 60 && settings.delivery.retryMax == 3600)
        #expect(settings.delivery.bounceLimit == 3)
    }

    @Test("every key is read")
    func everyKey() throws {
        let settings = try parse("""
            smtp:
              url: smtps://Mail.Example.org
              helo: news.example.org
              ca_file: ca.pem
              username: relay@example.org
              password_file: /etc/carers-newsletter/smtp-password
              connections: 2
              max_per_second: 10
              max_per_hour: 3000
              connect_timeout: 10s
              command_timeout: 1m
              message_timeout: 5m
            delivery:
              keep_sent_days: 30
              max_age: 2d
              retry_initial: 30s
              retry_max: 2h
              bounce_limit: 5
            """)
        #expect(settings.smtp.url == SMTPURL(scheme: .smtps, host: "mail.example.org", port: 465))
        #expect(settings.smtp.tls == .tls)
        #expect(settings.smtp.helo == "news.example.org")
        #expect(settings.smtp.caFile == "/etc/carers-newsletter/ca.pem")
        #expect(settings.smtp.username == "relay@example.org")
        #expect(settings.smtp.connections == 2)
        #expect(settings.smtp.maxPerSecond == 10 && settings.smtp.maxPerHour == 3000)
        #expect(settings.smtp.connectTimeout == 10 && settings.smtp.commandTimeout == 60 && settings.smtp.messageTimeout == 300)
        #expect(settings.delivery == DeliverySettings(keepSentDays: 30, maxAge: 2 * 86400, retryInitial: 30, retryMax: 7200, bounceLimit: 5))
        #expect(try parse("smtp:\n  url: smtp://relay.example.org\n").smtp.url?.port == 587)
    }

    @Test(
        "mistakes are refused with the line and key",
        arguments: [
            ("smtp:\n  url: smtp://relay.example.org\n  tls: none\n", "line 3: smtp.tls: none is accepted only for a relay on this machine"),
            ("smtp:\n  url: smtps://relay.example.org\n  tls: starttls\n", "smtp.tls: an smtps:// address always uses TLS"),
            ("smtp:\n  url: smtp://relay.example.org\n  tls: tls\n", "smtp.tls: tls (implicit TLS) needs an smtps:// address"),
            ("smtp:\n  url: http://relay.example.org\n", "smtp.url: expected an address starting smtp:// or smtps://"),
            ("smtp:\n  url: smtp://user:pw@relay.example.org\n", "smtp.url: the address must not hold a user name or password"),
            ("smtp:\n  password: hunter2\n", "smtp.password: the password is never kept in this file"),
            ("smtp:\n  password_file: /x\n", "smtp.password_file: is set but smtp.username is not"),
            ("smtp:\n  connections: 0\n", "smtp.connections: expected a whole number from 1 to 64"),
            ("smtp:\n  helo: \"bad name\"\n", "smtp.helo: expected a host name"),
            ("smtp:\n  conections: 2\n", "unknown key smtp.conections (did you mean smtp.connections?)"),
            ("delivery:\n  retry_initial: 2h\n  retry_max: 1h\n", "delivery.retry_max: must not be shorter than delivery.retry_initial"),
            ("delivery:\n  bounce_limit: -1\n", "delivery.bounce_limit: expected a whole number from 0 to 1000"),
        ])
    func mistakes(yaml: String, message: String) throws {
        let error = #expect(throws: NewsletterError.self) { try parse(yaml) }
        #expect(error?.exitStatus == .config)
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
    }

    @Test("tls none is fine for loopback relays", arguments: ["127.0.0.1", "127.3.2.1", "localhost", "[::1]"])
    func loopback(host: String) throws {
        let settings = try parse("smtp:\n  url: smtp://\(host):2525\n  tls: none\n")
        #expect(settings.smtp.tls == .none)
        #expect(settings.smtp.url?.isLoopback == true)
    }
}

@Suite("The example config")
struct ExampleConfigTests {
    @Test("config/newsletter.example.yaml parses, with the delivery defaults it documents")
    func parses() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../config/newsletter.example.yaml")
            .standardizedFileURL.path
        let settings = try Settings.load(from: ConfigLocation(flag: path))
        #expect(settings.smtp.url?.description == "smtp://mail.carers.example.org:587")
        #expect(settings.smtp.tls == .starttls)
        #expect(settings.smtp.connections == 4)
        #expect(settings.delivery == DeliverySettings())
    }
}
