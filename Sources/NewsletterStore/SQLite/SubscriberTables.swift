import GRDB
import NewsletterCore

/// Schema version 1: the subscriber list, its consent log and the suppression list.
enum SubscriberTables {
    static func create(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE subscriber (
                id INTEGER PRIMARY KEY,
                email TEXT NOT NULL,
                email_key TEXT NOT NULL UNIQUE,
                name TEXT,
                status TEXT NOT NULL CHECK (status IN ('pending', 'active', 'unsubscribed', 'bounced')),
                digest TEXT NOT NULL CHECK (digest IN ('daily', 'weekly', 'monthly', 'off')),
                blog TEXT NOT NULL CHECK (blog IN ('immediate', 'digest', 'off')),
                topics TEXT NOT NULL DEFAULT '[]',
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                active_since TEXT
            );
            CREATE INDEX subscriber_by_status ON subscriber (status, digest);

            CREATE TABLE consent_log (
                id INTEGER PRIMARY KEY,
                subscriber_id INTEGER NOT NULL REFERENCES subscriber (id) ON DELETE CASCADE,
                at TEXT NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                from_status TEXT,
                to_status TEXT,
                wording TEXT,
                client_address TEXT
            );
            CREATE INDEX consent_log_by_subscriber ON consent_log (subscriber_id, id);

            CREATE TABLE suppression (
                address_hash TEXT PRIMARY KEY,
                reason TEXT NOT NULL CHECK (reason IN ('unsubscribed', 'bounced', 'erased', 'complaint')),
                created_at TEXT NOT NULL,
                actor TEXT NOT NULL
            ) WITHOUT ROWID;
            """)
    }
}
