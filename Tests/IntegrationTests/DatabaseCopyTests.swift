import Foundation
import NewsletterCore
import NewsletterStoreTestSupport
import NewsletterTestSupport
import Testing

@testable import NewsletterStore

/// `newsletterctl database copy`, from a SQLite installation to the test PostgreSQL cluster.
@Suite("Moving a SQLite installation to PostgreSQL")
struct DatabaseCopyTests {
    /// A config like the fixture's, on `url`.
    static func config(_ fixture: CLIFixture, url: String) throws -> String {
        let yaml = try String(contentsOfFile: fixture.config, encoding: .utf8)
            .replacingOccurrences(of: "  path: data/newsletter.db\n", with: "  url: \(url)\n")
        return try fixture.dir.write("postgres.yaml", yaml)
    }

    static func query<T: SQLReadable>(_ settings: PostgresSettings, _ sql: String) throws -> T? {
        let connection = try PGConnection.connect(settings)
        defer { connection.close() }
        guard let row = try connection.query(sql).rows.first else { return nil }
        return try PGConnection.row(row)[0]
    }

    @Test("everything moves with its ids and the link secret; ids stay unused; a second copy into it is refused")
    func copy() async throws {
        let fixture = try CLIFixture()
        for address in ["ann@example.org", "bob@example.org", "cat@example.org"] {
            #expect(try await fixture.ctl("subscribers", "add", address).status == 0)
        }
        #expect(try await fixture.ctl("subscribers", "remove", "bob@example.org").status == 0)
        // The highest id erased: PostgreSQL must never give it out again.
        #expect(try await fixture.ctl("subscribers", "erase", "cat@example.org", "--yes").status == 0)
        // A rotation: links signed with the retired secret must keep working after the move.
        #expect(try await fixture.ctl("links", "rotate-secret").status == 0)
        let secret = try #require(FileManager.default.contents(atPath: fixture.dir.path("data/link-secret")))

        let target = try PostgresTestCluster.newDatabase()
        let url = PostgresTestCluster.url(target)
        let copied = try await fixture.ctl("database", "copy", "--to", url)
        try #require(copied.status == 0, "\(copied)")
        #expect(copied.stdout.contains("subscriber: 2") && copied.stdout.contains("suppression: 2"), "\(copied.stdout)")
        #expect(copied.stdout.contains("link secrets: 2"), "the current one and the one the rotation retired")

        let postgres = try Self.config(fixture, url: url)
        let list = try await Binaries.run("newsletterctl", ["subscribers", "list", "--config", postgres])
        #expect(list.status == 0, "\(list)")
        #expect(list.stdout.contains("ann@example.org") && list.stdout.contains("bob@example.org") && !list.stdout.contains("cat@"))
        let stored: Data? = try Self.query(target, "SELECT secret FROM link_secret WHERE retired_at IS NULL")
        #expect(stored == secret)
        let retired: Int? = try Self.query(target, "SELECT COUNT(*) FROM link_secret WHERE retired_at IS NOT NULL")
        #expect(retired == 1)
        let consent: Int? = try Self.query(target, "SELECT COUNT(*) FROM consent_log")
        #expect(consent == 3)

        #expect(try await Binaries.run("newsletterctl", ["subscribers", "add", "dan@example.org", "--config", postgres]).status == 0)
        let dan: Int64? = try Self.query(target, "SELECT id FROM subscriber WHERE email = 'dan@example.org'")
        #expect(dan == 4, "ids 1 to 3 were given out on SQLite, 3 to someone since erased")
        // The erased address is still suppressed on the new database.
        let again = try await Binaries.run("newsletterctl", ["subscribers", "add", "cat@example.org", "--config", postgres])
        #expect(again.status != 0 && again.stderr.contains("suppression list"), "\(again)")

        let twice = try await fixture.ctl("database", "copy", "--to", url)
        #expect(twice.status == 73, "\(twice)")
        #expect(twice.stderrLines.count == 1 && twice.stderr.contains("is not empty"), "\(twice.stderr)")
    }

    @Test("a target that is not PostgreSQL, or a server that is not there: one line and a sysexits status")
    func refusals() async throws {
        let fixture = try CLIFixture()
        let mysql = try await fixture.ctl("database", "copy", "--to", "mysql://u@h/d")
        #expect(mysql.status == 64 && mysql.stderrLines.count == 1, "\(mysql)")
        let port = try FreePort.pick()
        let nobody = try await fixture.ctl("database", "copy", "--to", "postgresql://newsletter@127.0.0.1:\(port)/carers?sslmode=disable")
        #expect(nobody.status == 69, "\(nobody)")
        #expect(nobody.stderrLines.count == 1, "\(nobody.stderr)")
        #expect(nobody.stderr.contains("cannot connect to postgresql://newsletter@127.0.0.1:\(port)/carers: Connection refused"), "\(nobody.stderr)")
    }

    @Test("a password is asked for and checked: the wrong one is a config error naming the file, never the password")
    func password() async throws {
        let fixture = try CLIFixture()
        let port = try #require(PostgresTestCluster.port)
        try PostgresTestCluster.run("CREATE DATABASE pw_\(port)_\(UInt32.random(in: 0 ... .max)) OWNER newsletter_pw")
        let wrong = try fixture.dir.write("wrong-password", "not-the-password\n")
        let url = "postgresql://newsletter_pw@127.0.0.1:\(port)/postgres?sslmode=disable"
        let refused = try await fixture.ctl("database", "copy", "--to", url, "--password-file", wrong)
        #expect(refused.status == 78, "\(refused)")
        #expect(refused.stderr.contains("refused the login") && !refused.stderr.contains("not-the-password"), "\(refused.stderr)")
        let missing = try await fixture.ctl("database", "copy", "--to", url)
        #expect(missing.status == 78 && missing.stderr.contains("password"), "\(missing)")
    }
}
