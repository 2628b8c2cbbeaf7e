import GRDB
import NewsletterCore

/// Schema version 5: digests sent (one per subscriber per cadence period), the events each
/// included, and blog-notification batches.
enum DigestTables {
    static func create(_ db: Database) throws {
        try db.execute(sql: """
            CREATE INDEX subscriber_by_blog ON subscriber (status, blog);

            -- The events a group of digests included: many subscribers share one selection.
            CREATE TABLE digest_selection (
                id INTEGER PRIMARY KEY,
                event_ids TEXT NOT NULL,
                created_at TEXT NOT NULL
            );

            CREATE TABLE digest (
                id INTEGER PRIMARY KEY,
                subscriber_id INTEGER NOT NULL REFERENCES subscriber (id) ON DELETE CASCADE,
                cadence TEXT NOT NULL,
                period TEXT NOT NULL,
                cutoff TEXT NOT NULL,
                -- NULL when there was nothing to say and no email was sent.
                selection_id INTEGER REFERENCES digest_selection (id),
                outbox_id INTEGER REFERENCES outbox (id) ON DELETE SET NULL,
                created_at TEXT NOT NULL,
                UNIQUE (subscriber_id, cadence, period)
            );
            -- A subscriber's digest watermark is the latest cut-off here (or when they last
            -- became active, if later): recording a digest moves it without rewriting the
            -- subscriber's row.
            CREATE INDEX digest_by_cutoff ON digest (subscriber_id, cutoff);

            CREATE TABLE blog_batch (
                id INTEGER PRIMARY KEY,
                cutoff TEXT NOT NULL,
                event_ids TEXT NOT NULL,
                created_at TEXT NOT NULL
            );
            CREATE INDEX blog_batch_by_cutoff ON blog_batch (cutoff);
            """)
    }
}
