import GRDB
import NewsletterCore

/// Schema version 9: every running newsletterd records itself (host, pid, version, whether it
/// leads), for `newsletterctl status`; several share one PostgreSQL database.
enum DaemonInstanceTables {
    static func create(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE daemon_instance (
                id TEXT PRIMARY KEY,
                host TEXT NOT NULL,
                pid INTEGER NOT NULL,
                version TEXT NOT NULL,
                role TEXT NOT NULL,
                started_at TEXT NOT NULL,
                heartbeat_at TEXT NOT NULL
            )
            """)
    }
}
