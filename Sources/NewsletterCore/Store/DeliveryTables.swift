import GRDB

/// Schema version 5: what delivery changes in the outbox.
///
/// - Bodies move to `outbox_body`. SQLite rewrites a whole row, overflow pages and all, on
///   every UPDATE: with 10 KB bodies in `outbox`, each state change wrote the body again
///   (twice per message, then again at the checkpoint), which cost more than the SMTP
///   work itself. Now state changes touch a small row; bodies are written once and deleted
///   when pruned.
/// - `queued_at` is when the message last entered the queue (NULL: when it was created), so
///   `delivery.max_age` counts from a `queue retry`, not from the first attempt days ago.
/// - An index of sent messages by `sent_at`, for pruning and the hourly rate limit.
///
/// SQLite cannot drop a column with a CHECK naming it, so the table is rebuilt.
enum DeliveryTables {
    static func create(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE outbox_v5 (
                id INTEGER PRIMARY KEY,
                kind TEXT NOT NULL CHECK (kind IN ('digest', 'blog', 'confirm', 'welcome', 'test')),
                subscriber_id INTEGER REFERENCES subscriber (id) ON DELETE CASCADE,
                edition_id INTEGER REFERENCES edition (id),
                envelope_from TEXT NOT NULL,
                envelope_to TEXT NOT NULL,
                message_id TEXT NOT NULL UNIQUE,
                merge TEXT,
                state TEXT NOT NULL DEFAULT 'queued'
                    CHECK (state IN ('queued', 'sending', 'sent', 'deferred', 'failed', 'cancelled')),
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at TEXT NOT NULL,
                last_code INTEGER,
                last_text TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                sent_at TEXT,
                queued_at TEXT
            );
            INSERT INTO outbox_v5 (id, kind, subscriber_id, edition_id, envelope_from, envelope_to, message_id, merge, state,
                                   attempts, next_attempt_at, last_code, last_text, created_at, updated_at, sent_at)
                SELECT id, kind, subscriber_id, edition_id, envelope_from, envelope_to, message_id, merge, state,
                       attempts, next_attempt_at, last_code, last_text, created_at, updated_at, sent_at FROM outbox;
            CREATE TABLE outbox_body_v5 AS SELECT id AS outbox_id, body FROM outbox WHERE body IS NOT NULL;
            DROP TABLE outbox;
            ALTER TABLE outbox_v5 RENAME TO outbox;
            CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
            CREATE INDEX outbox_by_subscriber ON outbox (subscriber_id, state);
            CREATE INDEX outbox_by_edition ON outbox (edition_id);
            CREATE INDEX outbox_sent_at ON outbox (sent_at) WHERE state = 'sent';

            CREATE TABLE outbox_body (
                outbox_id INTEGER PRIMARY KEY REFERENCES outbox (id) ON DELETE CASCADE,
                body BLOB NOT NULL
            );
            INSERT INTO outbox_body (outbox_id, body) SELECT outbox_id, body FROM outbox_body_v5;
            DROP TABLE outbox_body_v5;
            """)
    }
}
