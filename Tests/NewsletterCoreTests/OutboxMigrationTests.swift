import Foundation
import GRDB
import NewsletterTestSupport
import Testing

@testable import NewsletterCore

@Suite("Schema 5: outbox bodies apart from the rows")
struct OutboxMigrationTests {
    @Test("a schema-3 outbox keeps every message, body and state through the migration")
    func migratesBodies() throws {
        let dir = TemporaryDirectory("migrate")
        let path = dir.path("old.db")
        // Build the database as schema 3 left it.
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            for migration in Schema.migrations where migration.version <= 3 { try migration.apply(db) }
            try db.execute(sql: "PRAGMA user_version = 3")
            try db.execute(sql: """
                INSERT INTO outbox (id, kind, envelope_from, envelope_to, message_id, body, state, next_attempt_at, created_at, updated_at)
                VALUES (7, 'test', 'a@example.org', 'b@example.org', 'm7@example.org', X'48656C6C6F', 'deferred',
                        '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000'),
                       (8, 'test', 'a@example.org', 'c@example.org', 'm8@example.org', NULL, 'sent',
                        '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000')
                """)
        }
        try queue.close()

        let store = try Store.open(DatabaseSettings(path: path))
        let (seven, eight, version) = try store.read { tx in
            (try tx.outboxMessage(id: 7), try tx.outboxMessage(id: 8), try Int.fetchOne(tx.db, sql: "PRAGMA user_version"))
        }
        #expect(version == Schema.latestVersion)
        #expect(seven?.content == .complete(Data("Hello".utf8)))
        #expect(seven?.state == .deferred)
        #expect(eight?.content == .pruned)
        #expect(eight?.state == .sent)

        // New messages store their bodies apart, and erasing a message removes its body.
        let id = try store.write { tx in
            try tx.enqueue(
                NewOutboxMessage(
                    kind: .test, subscriberID: nil, envelopeFrom: try EmailAddress("a@example.org"), envelopeTo: try EmailAddress("d@example.org"),
                    messageID: "new@example.org", content: .complete(Data("Body".utf8)), notBefore: Date()),
                at: Date())
        }
        #expect(try store.read { tx in try tx.outboxMessage(id: id)?.content } == .complete(Data("Body".utf8)))
        try store.write { tx in try tx.db.execute(sql: "DELETE FROM outbox WHERE id = ?", arguments: [id]) }
        #expect(try store.read { tx in try Int.fetchOne(tx.db, sql: "SELECT COUNT(*) FROM outbox_body") } == 1)
    }
}

@Suite("Durability settings")
struct DurabilityTests {
    @Test("the writer connection commits with synchronous=FULL, as the README promises")
    func synchronousFull() throws {
        let dir = TemporaryDirectory("sync")
        let store = try Store.open(DatabaseSettings(path: dir.path("n.db")))
        let writer = try store.write { tx in try Int.fetchOne(tx.db, sql: "PRAGMA synchronous") }
        #expect(writer == 2)
    }
}
