import GRDB
import NewsletterCore

/// Schema version 14: what website watching remembers about each address it fetches.
enum WebResourceTables {
    static func create(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE web_resource (
                url TEXT PRIMARY KEY,
                role TEXT NOT NULL CHECK (role IN ('page', 'post', 'sitemap', 'feed')),
                etag TEXT,
                last_modified TEXT,
                sitemap_lastmod TEXT,
                fetched_at TEXT,
                failures INTEGER NOT NULL DEFAULT 0,
                failing_since TEXT,
                next_attempt_at TEXT,
                last_error TEXT,
                missing_scans INTEGER NOT NULL DEFAULT 0
            ) WITHOUT ROWID;
            """)
    }
}
