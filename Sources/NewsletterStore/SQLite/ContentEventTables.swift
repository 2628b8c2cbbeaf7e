import GRDB
import NewsletterCore

/// Schema version 2: change events found in the site's content.
enum ContentEventTables {
    static func create(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE content_event (
                id INTEGER PRIMARY KEY,
                kind TEXT NOT NULL CHECK (kind IN ('page_updated', 'post_published')),
                path TEXT NOT NULL,
                title TEXT NOT NULL,
                summary TEXT,
                url TEXT NOT NULL,
                topics TEXT NOT NULL DEFAULT '[]',
                marker TEXT NOT NULL,
                detected_at TEXT NOT NULL,
                -- Overlapping scans, or a scan repeated after a crash, find the same change
                -- again: it is recorded once.
                UNIQUE (kind, path, marker)
            );
            CREATE INDEX content_event_by_time ON content_event (detected_at);
            """)
    }
}
