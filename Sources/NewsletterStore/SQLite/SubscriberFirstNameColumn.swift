import GRDB
import NewsletterCore

/// A migration: the name a subscriber is greeted by, when it was given apart from their
/// full name (an import's first-name column, `--first-name`). Existing rows have none.
enum SubscriberFirstNameColumn {
    static func add(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE subscriber ADD COLUMN first_name TEXT")
    }
}
