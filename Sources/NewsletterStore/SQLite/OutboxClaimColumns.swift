import GRDB
import NewsletterCore

/// Schema version 12: who claimed a `sending` message and until when. Several daemons on one
/// PostgreSQL database each send what they claimed; a claim not renewed by its expiry (its
/// daemon died or lost the database) goes back to the queue for another. SQLite's one sender
/// records its claims the same way, so the two backends keep one outbox.
enum OutboxClaimColumns {
    static func add(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE outbox ADD COLUMN claim_owner TEXT;
            ALTER TABLE outbox ADD COLUMN claim_expires_at TEXT;
            """)
    }
}
