import Foundation
import GRDB
import NewsletterCore

/// The database schema as an ordered list of migrations, numbered by `PRAGMA user_version`.
///
/// GRDB's `DatabaseMigrator` decides what to apply before taking the write lock, so two
/// processes starting together could both apply one migration. Here the check and the
/// changes share one IMMEDIATE transaction: the second process waits, then sees the new
/// version and does nothing.
enum Schema {
    struct Migration: Sendable {
        let version: Int
        let name: String
        let apply: @Sendable (Database) throws -> Void
    }

    /// Append only: a released migration is never edited.
    static let migrations: [Migration] = [
        Migration(version: 1, name: "subscribers, consent log and suppression list", apply: SubscriberTables.create),
        Migration(version: 2, name: "content events", apply: ContentEventTables.create),
        Migration(version: 3, name: "outbox and editions", apply: OutboxTables.create),
        Migration(version: 4, name: "content page state", apply: ContentPageTables.create),
        Migration(version: 5, name: "digests and blog batches", apply: DigestTables.create),
        Migration(version: 6, name: "job runs and the daemon heartbeat", apply: DaemonTables.create),
        Migration(version: 7, name: "subscriber ids never reused, per-subscriber link keys, purge log", apply: SubscriberLinkKeyTables.create),
        Migration(version: 8, name: "subscribers' first names", apply: SubscriberFirstNameColumn.add),
        Migration(version: 9, name: "daemon instances", apply: DaemonInstanceTables.create),
        // 10 and 11 are PostgreSQL's alone (``PostgresSchema``): the numbers stay shared.
        Migration(version: 12, name: "outbox claims: owner and expiry", apply: OutboxClaimColumns.add),
        // 13 is PostgreSQL's alone.
        Migration(version: 14, name: "website watching: fetched addresses", apply: WebResourceTables.create),
    ]

    static var latestVersion: Int { migrations.last?.version ?? 0 }

    static func migrate(_ pool: DatabasePool, path: String) throws {
        // Most starts find the schema current: check without taking the write lock.
        let found = try pool.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0 }
        if found == latestVersion { return }
        try refuseNewer(found, path: path)

        try pool.writeWithoutTransaction { db in
            // A table rebuild must not cascade its DROP to the rows that reference it; the
            // pragma has no effect inside a transaction, so it is set around it.
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            defer { try? db.execute(sql: "PRAGMA foreign_keys = ON") }
            try db.inTransaction(.immediate) {
                let current = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
                try refuseNewer(current, path: path)
                try db.execute(sql: """
                    CREATE TABLE IF NOT EXISTS schema_migration (
                        version INTEGER PRIMARY KEY,
                        name TEXT NOT NULL,
                        applied_at TEXT NOT NULL)
                    """)
                for migration in migrations where migration.version > current {
                    try migration.apply(db)
                    try db.execute(
                        sql: "INSERT INTO schema_migration (version, name, applied_at) VALUES (?, ?, ?)",
                        arguments: [migration.version, migration.name, StoredDate.text(Date())])
                    try db.execute(sql: "PRAGMA user_version = \(migration.version)")
                }
                return .commit
            }
        }
    }

    private static func refuseNewer(_ version: Int, path: String) throws {
        if version > latestVersion {
            throw NewsletterError.config(
                "database \(path) has schema version \(version), newer than this program knows (\(latestVersion)); "
                    + "install the newer carers-newsletter release that wrote it")
        }
    }
}
