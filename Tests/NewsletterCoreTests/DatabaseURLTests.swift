import Foundation
import NewsletterTestSupport
import Testing

@testable import NewsletterCore

@Suite("database.url: SQLite or PostgreSQL, and the password kept out of the config")
struct DatabaseURLTests {
    let dir = TemporaryDirectory("dburl")

    func settings(_ database: String, environment: [String: String] = [:]) throws -> DatabaseSettings {
        let yaml = "database:\n" + database.split(separator: "\n").map { "  \($0)\n" }.joined()
        return try Settings.parse(yaml: yaml, file: dir.path("newsletter.yaml")).database
    }

    @Test("no url keeps database.path, and sqlite:PATH names the file")
    func sqlite() throws {
        #expect(try settings("path: data/news.db").path == dir.path("data/news.db"))
        let url = try settings("url: sqlite:/var/lib/x/news.db")
        #expect(url.path == "/var/lib/x/news.db" && url.postgres == nil)
        #expect(url.name == "/var/lib/x/news.db")
    }

    @Test("a postgresql URL: host, port, user, database, sslmode and the socket form")
    func postgres() throws {
        let tcp = try #require(try settings("url: postgresql://newsletter@db.example.org:5433/carers?sslmode=verify-full").postgres)
        #expect(tcp.host == "db.example.org" && tcp.port == 5433 && tcp.user == "newsletter" && tcp.database == "carers")
        #expect(tcp.tls == .verifyFull && tcp.socketFolder == nil && tcp.maxConnections == 5)
        #expect(tcp.description == "postgresql://newsletter@db.example.org:5433/carers")
        let socket = try #require(try settings("url: postgresql://newsletter@/carers?host=/run/postgresql\nmax_connections: 12").postgres)
        #expect(socket.socketFolder == "/run/postgresql" && socket.port == 5432 && socket.maxConnections == 12)
        #expect(try #require(try settings("url: postgres://u@h/d").postgres).tls == .prefer)
    }

    @Test("the password comes from password_file, never printed; a password in the URL is refused")
    func password() throws {
        let file = try dir.write("db-password", "s3cret-Pass\n")
        let parsed = try settings("url: postgresql://u@h/d\npassword_file: \(file)")
        #expect(parsed.postgres?.password?.value == "s3cret-Pass")
        #expect(!"\(parsed)".contains("s3cret") && !String(describing: parsed.postgres!).contains("s3cret"))

        let inURL = #expect(throws: NewsletterError.self) { try settings("url: postgresql://u:hunter2@h/d") }
        #expect(inURL?.exitStatus == .config)
        #expect(inURL.map { !$0.message.contains("hunter2") && $0.message.contains("password_file") } == true)
        let missing = #expect(throws: NewsletterError.self) { try settings("url: postgresql://u@h/d\npassword_file: \(dir.path("nope"))") }
        #expect(missing?.message.contains("does not exist") == true)
    }

    @Test("systemd's credential db-password is read when no file is named")
    func credential() throws {
        _ = try dir.write("creds/db-password", "from-systemd\n")
        let secret = try PostgresSettings.readPassword(file: nil, environment: ["CREDENTIALS_DIRECTORY": dir.path("creds")])
        #expect(secret?.value == "from-systemd")
        #expect(try PostgresSettings.readPassword(file: nil, environment: [:]) == nil)
    }

    @Test("bad URLs are one clear config error each", arguments: [
        "url: mysql://u@h/d", "url: postgresql://h/d", "url: postgresql://u@h/", "url: postgresql://u@h/d?sslmode=maybe",
        "url: postgresql://u@h/d?colour=blue", "url: sqlite:", "url: postgresql://u@h:99999/d",
        "path: a.db\nurl: sqlite:/b.db", "path: a.db\npassword_file: /etc/passwd",
    ])
    func bad(_ database: String) throws {
        let error = #expect(throws: NewsletterError.self) { try settings(database) }
        #expect(error?.exitStatus == .config)
        #expect(error.map { !$0.message.contains("\n") } == true)
    }
}
