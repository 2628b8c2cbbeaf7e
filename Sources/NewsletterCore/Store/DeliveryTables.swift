import GRDB

/// Schema version 5: what delivery adds to the outbox.
///
/// `queued_at` is when the message last entered the queue (NULL: when it was created), so
/// `delivery.max_age` counts from a `queue retry`, not from the first attempt days ago.
enum DeliveryTables {
    static func create(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE outbox ADD COLUMN queued_at TEXT;
            CREATE INDEX outbox_sent_at ON outbox (sent_at) WHERE state = 'sent';
            """)
    }
}
