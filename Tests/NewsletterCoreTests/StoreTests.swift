import Foundation
import GRDB
@testable import NewsletterStore
import NewsletterTestSupport
import Testing

@testable import NewsletterCore

@Suite("The SQLite store")
struct StoreTests {
    @Test("a new database is in WAL mode at the latest schema, and reopening changes nothing")
    func opens() throws {
        let dir = TemporaryDirectory()
        let settings = DatabaseSettings(path: dir.path("a/b/news.db"))
        let store = try Store.open(settings)
        let (mode, version, migrations) = try store.read { tx in
            (try String.fetchOne(tx.db, sql: "PRAGMA journal_mode"), try Int.fetchOne(tx.db, sql: "PRAGMA user_version"),
             try Int.fetchOne(tx.db, sql: "SELECT COUNT(*) FROM schema_migration"))
        }
        #expect(mode == "wal")
        #expect(version == Schema.latestVersion)
        #expect(migrations == Schema.migrations.count)
        _ = try Store.open(settings)
        #expect(try store.read { tx in try Int.fetchOne(tx.db, sql: "SELECT COUNT(*) FROM schema_migration") } == Schema.migrations.count)
    }

    @Test("many connections migrating one new database at once all succeed")
    func concurrentMigration() async throws {
        let dir = TemporaryDirectory()
        let settings = DatabaseSettings(path: dir.path("news.db"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            // Each waits on SQLite's busy handler while another migrates: on threads of their own.
            for _ in 0..<8 { group.addTask { try await offPool { _ = try Store.open(settings) } } }
            try await group.waitForAll()
        }
        let store = try Store.open(settings)
        #expect(try store.read { tx in try Int.fetchOne(tx.db, sql: "SELECT COUNT(*) FROM schema_migration") } == Schema.migrations.count)
    }

    @Test("a database from a newer release is refused with exit 78")
    func newerSchema() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("news.db")
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try db.execute(sql: "PRAGMA user_version = 999") }
        try queue.close()
        #expect(throws: NewsletterError.self) { try Store.open(DatabaseSettings(path: path)) }
        do {
            _ = try Store.open(DatabaseSettings(path: path))
        } catch let error as NewsletterError {
            #expect(error.exitStatus == .config)
            #expect(error.message.contains("schema version 999"))
        }
    }

    @Test("a file that is not a database is refused with a clear message")
    func notADatabase() throws {
        let dir = TemporaryDirectory()
        let path = try dir.write("news.db", String(repeating: "this is not sqlite\n", count: 100))
        #expect(throws: NewsletterError.badData("\(path) is not a SQLite database; check database.path in the config")) {
            try Store.open(DatabaseSettings(path: path))
        }
    }

    @Test("a database folder that cannot be created gives exit 73")
    func uncreatableFolder() throws {
        let dir = TemporaryDirectory()
        let file = try dir.write("plain-file", "x")
        #expect(throws: NewsletterError.cantCreate(
            "database folder \(file) is a file, not a folder; check database.path in the config")) {
            try Store.open(DatabaseSettings(path: file + "/news.db"))
        }
    }

    @Test("a failing write leaves nothing behind")
    func rollback() throws {
        let fixture = try StoreFixture()
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try fixture.store.write { tx in
                _ = try tx.insertSubscriber(NewSubscriber(email: EmailAddress("a@example.org")), at: Date())
                throw Boom()
            }
        }
        #expect(try fixture.count("subscriber") == 0)
    }

    @Test("topics survive the trip through the database")
    func topicsRoundTrip() throws {
        #expect(StoreTransaction.decodeTopics(StoreTransaction.encodeTopics([])) == [])
        #expect(StoreTransaction.decodeTopics(StoreTransaction.encodeTopics(["a", "b-c", "zoë"])) == ["a", "b-c", "zoë"])
        #expect(StoreTransaction.decodeTopics(#"["x\"y"]"#) == ["x\"y"])
    }

    @Test("dates written as text read back as the same Date, to the millisecond")
    func storedDates() throws {
        let fixture = try StoreFixture()
        let dates = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_790_000_123.456), Date(timeIntervalSince1970: 951_782_400.999)]
        for date in dates {
            let text = StoredDate.text(date)
            let back = try fixture.store.read { tx in try Date.fetchOne(tx.db, sql: "SELECT ?", arguments: [text]) }
            #expect(abs(try #require(back).timeIntervalSince(date)) < 0.001)
            #expect(text == (date.databaseValue.storage.value as? String))
        }
    }
}
