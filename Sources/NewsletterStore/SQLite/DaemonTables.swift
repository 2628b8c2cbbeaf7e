import GRDB
import NewsletterCore

/// Schema version 6: the daemon's memory between runs: the last completed run of each
/// scheduled job (for catching up after downtime) and a heartbeat row that
/// `newsletterctl status` reads.
enum DaemonTables {
    static func create(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE job_run (
                job TEXT PRIMARY KEY,
                -- The scheduled fire time the last completed run stood for.
                last_fire TEXT NOT NULL,
                finished_at TEXT NOT NULL,
                ok INTEGER NOT NULL,
                detail TEXT NOT NULL
            );

            CREATE TABLE daemon_status (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                pid INTEGER NOT NULL,
                version TEXT NOT NULL,
                started_at TEXT NOT NULL,
                heartbeat_at TEXT NOT NULL,
                state TEXT NOT NULL,
                status_line TEXT NOT NULL,
                next_runs TEXT NOT NULL DEFAULT '{}',
                last_error TEXT,
                last_error_at TEXT
            );
            """)
    }
}
