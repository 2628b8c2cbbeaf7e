import GRDB
import NewsletterCore

/// Schema version 4: what content scanning remembers about each file and about the tree.
enum ContentPageTables {
    static func create(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE content_page (
                path TEXT PRIMARY KEY,
                kind TEXT NOT NULL CHECK (kind IN ('page', 'post')),
                status TEXT NOT NULL
                    CHECK (status IN ('current', 'no_marker', 'published', 'draft', 'scheduled', 'removed', 'skipped')),
                title TEXT NOT NULL,
                summary TEXT,
                url TEXT NOT NULL,
                topics TEXT NOT NULL DEFAULT '[]',
                last_updated TEXT,
                recorded_marker TEXT,
                published_on TEXT,
                announced INTEGER NOT NULL DEFAULT 0,
                content_hash TEXT,
                size INTEGER NOT NULL DEFAULT 0,
                modified_ns INTEGER NOT NULL DEFAULT 0,
                inode INTEGER NOT NULL DEFAULT 0,
                first_seen TEXT NOT NULL,
                changed_at TEXT NOT NULL,
                removed_at TEXT,
                problem TEXT
            ) WITHOUT ROWID;
            CREATE INDEX content_page_by_hash ON content_page (content_hash) WHERE status = 'removed';
            CREATE INDEX content_page_scheduled ON content_page (published_on) WHERE status = 'scheduled';

            CREATE TABLE content_scan (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                root TEXT NOT NULL,
                baseline_at TEXT NOT NULL,
                last_scan_at TEXT NOT NULL,
                last_full_scan_at TEXT NOT NULL
            );
            """)
    }
}
