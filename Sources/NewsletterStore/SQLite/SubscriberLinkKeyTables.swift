import GRDB
import NewsletterCore

/// Schema version 7: subscriber ids are never reused, and each subscriber has a random link
/// key that their link tokens are signed over, so a link made for one person can never act
/// on another who later holds the same id (after an erase, an import or a restore).
///
/// SQLite adds AUTOINCREMENT only by rebuilding the table. The rebuild runs with foreign key
/// enforcement off (``Schema/migrate(_:path:)`` arranges that): dropping the old table with
/// it on would cascade and delete every consent log, outbox and digest row.
enum SubscriberLinkKeyTables {
    static func create(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE subscriber_v7 (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                email TEXT NOT NULL,
                email_key TEXT NOT NULL UNIQUE,
                name TEXT,
                status TEXT NOT NULL CHECK (status IN ('pending', 'active', 'unsubscribed', 'bounced')),
                digest TEXT NOT NULL CHECK (digest IN ('daily', 'weekly', 'monthly', 'off')),
                blog TEXT NOT NULL CHECK (blog IN ('immediate', 'digest', 'off')),
                topics TEXT NOT NULL DEFAULT '[]',
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                active_since TEXT,
                link_key BLOB NOT NULL DEFAULT (randomblob(16)) CHECK (length(link_key) = 16),
                legacy_links INTEGER NOT NULL DEFAULT 0 CHECK (legacy_links IN (0, 1))
            );
            -- Everyone here now may hold links of the old form (id and MAC only): they keep
            -- working for these rows, and only these.
            INSERT INTO subscriber_v7
                (id, email, email_key, name, status, digest, blog, topics, created_at, updated_at, active_since, link_key, legacy_links)
            SELECT id, email, email_key, name, status, digest, blog, topics, created_at, updated_at, active_since, randomblob(16), 1
            FROM subscriber;
            DROP TABLE subscriber;
            ALTER TABLE subscriber_v7 RENAME TO subscriber;
            CREATE INDEX subscriber_by_status ON subscriber (status, digest);

            -- A pending sign-up purged unconfirmed takes its consent log with it (as an erase
            -- does); this keeps the fact of the purge without the address.
            CREATE TABLE purge_log (
                id INTEGER PRIMARY KEY,
                at TEXT NOT NULL,
                actor TEXT NOT NULL,
                address_hash TEXT NOT NULL,
                signed_up_at TEXT NOT NULL,
                reason TEXT NOT NULL
            );
            """)
        let broken = try Row.fetchAll(db, sql: "PRAGMA foreign_key_check")
        if !broken.isEmpty {
            throw NewsletterError.badData("the subscriber table rebuild left \(broken.count) dangling references; the database was not changed")
        }
    }
}
