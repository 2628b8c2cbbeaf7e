import GRDB
import NewsletterCore

/// Schema version 3: the persistent outbox and the editions its messages are built from.
///
/// Bodies stored whole live in `outbox_body`, not in `outbox`: SQLite rewrites a whole row,
/// overflow pages and all, on every UPDATE, and a message changes state at least twice.
/// `queued_at` is when the message last entered the queue (NULL: when it was created), so
/// `delivery.max_age` counts from a `queue retry`, not from the first attempt.
enum OutboxTables {
    static func create(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE edition (
                id INTEGER PRIMARY KEY,
                kind TEXT NOT NULL,
                subject TEXT NOT NULL,
                headers TEXT NOT NULL,
                text_body TEXT NOT NULL,
                html_body TEXT,
                created_at TEXT NOT NULL
            );

            CREATE TABLE outbox (
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
            CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
            CREATE INDEX outbox_by_subscriber ON outbox (subscriber_id, state);
            CREATE INDEX outbox_by_edition ON outbox (edition_id);
            -- For pruning and the hourly rate limit.
            CREATE INDEX outbox_sent_at ON outbox (sent_at) WHERE state = 'sent';

            CREATE TABLE outbox_body (
                outbox_id INTEGER PRIMARY KEY REFERENCES outbox (id) ON DELETE CASCADE,
                body BLOB NOT NULL
            );
            """)
    }
}
