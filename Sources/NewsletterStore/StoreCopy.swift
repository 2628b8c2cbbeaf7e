import Foundation
import NewsletterCore

/// `newsletterctl database copy --to postgresql://...`: everything in one store, copied into
/// an empty PostgreSQL database in one transaction, so the target holds all of it or none.
///
/// The source is read in one snapshot. Ids are kept (links already sent name them), and each
/// identity sequence is set past the highest id ever given, erased ones included, so no id
/// is ever reused. The link secrets move from the file beside a SQLite database into the
/// target's table. Every table's row count is compared before the commit.
public enum StoreCopy {
    /// Tables in an order that satisfies their foreign keys.
    static let tables = [
        "subscriber", "consent_log", "suppression", "purge_log", "content_event", "content_page", "content_scan", "edition",
        "outbox", "outbox_body", "digest_selection", "digest", "blog_batch", "job_run", "daemon_status", "daemon_instance",
        "web_resource",
    ]
    /// Tables whose `id` the target numbers from a sequence.
    static let identityTables: Set = [
        "subscriber", "consent_log", "purge_log", "content_event", "edition", "outbox", "digest_selection", "digest", "blog_batch",
    ]

    public struct Report: Sendable {
        /// Rows copied, by table, in copy order.
        public var rows: [(table: String, count: Int)]
        public var linkSecrets: Int
    }

    public static func copy(from source: Store, settings: DatabaseSettings, to target: Store) throws -> Report {
        guard let targetBackend = target.backend as? PostgresBackend else {
            throw NewsletterError.usage("database copy: the target must be a postgresql:// database")
        }
        guard source.backend.name != targetBackend.name else {
            throw NewsletterError.usage("database copy: the target is the database in use; give another one")
        }
        let secrets = try linkSecrets(settings: settings, store: source)
        // The sender's lock keeps a running daemon from sending (and so changing rows) while
        // the copy is made; one that holds it must be stopped first.
        let lock: any StoreLock
        do {
            lock = try source.acquireSenderLock()
        } catch let error as NewsletterError where error.exitStatus == .tempFailure {
            throw NewsletterError.tempFailure("newsletterd is running on \(source.name); stop it first (systemctl stop newsletterd), then copy")
        }
        defer { lock.release() }

        return try source.backend.read { from in
            let sequenceFloor = try sqliteSequences(from)
            return try targetBackend.write { to in
                for table in tables + ["link_secret"] {
                    if let count = try Int.fetchOne(to, sql: "SELECT COUNT(*) FROM \(table)"), count > 0 {
                        throw NewsletterError.cantCreate(
                            "\(targetBackend.name) is not empty (\(table) has \(count) rows); copy into a new, empty database")
                    }
                }
                var report = Report(rows: [], linkSecrets: 0)
                for table in tables {
                    let copied = try copyTable(table, from: from, to: to)
                    let expected = try Int.fetchOne(from, sql: "SELECT COUNT(*) FROM \(table)") ?? 0
                    let found = try Int.fetchOne(to, sql: "SELECT COUNT(*) FROM \(table)") ?? 0
                    guard copied == expected, found == expected else {
                        throw NewsletterError.internalError(
                            "database copy: \(table) has \(expected) rows in the source but \(found) in the target; nothing was copied")
                    }
                    report.rows.append((table, copied))
                    if identityTables.contains(table) {
                        let highest = max(try Int64.fetchOne(to, sql: "SELECT COALESCE(MAX(id), 0) FROM \(table)") ?? 0, sequenceFloor[table] ?? 0)
                        // The next id is one past the highest ever given.
                        try to.execute(
                            sql: "SELECT setval(pg_get_serial_sequence('\(table)', 'id')::regclass, ?, ? = 1)",
                            arguments: [max(highest, 1), highest > 0])
                    }
                }
                for stored in secrets {
                    try to.execute(
                        sql: "INSERT INTO link_secret (secret, created_at, retired_at) VALUES (?, ?, ?)",
                        arguments: [stored.secret, StoredDate.text(Date()), stored.retiredAt.map { StoredDate.text($0) }])
                }
                report.linkSecrets = secrets.count
                // Statistics for what was just loaded: without them the planner takes the
                // copied outbox for a few rows, and the first sends scan it whole.
                try to.execute(sql: "ANALYZE")
                return report
            }
        }
    }

    /// The rows of `table`, inserted column for column; values are converted to the target
    /// column's type where SQLite stored them loosely (a number in a text column).
    private static func copyTable(_ table: String, from: any SQLSession, to: any SQLSession) throws -> Int {
        let types = Dictionary(
            uniqueKeysWithValues: try SQLRow.fetchAll(
                to, sql: "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?",
                arguments: [table]
            ).map { ($0[0] as String, $0[1] as String) })
        let cursor = try from.fetchCursor(sql: "SELECT * FROM \(table)", arguments: [])
        var count = 0
        var statement: String?
        while let row = try cursor.next() {
            let columns = row.columns
            for column in columns where types[column] == nil {
                throw NewsletterError.internalError("database copy: the target's \(table) has no column \(column); is its schema older than this program?")
            }
            if statement == nil {
                let placeholders = columns.map { _ in "?" }.joined(separator: ", ")
                let overriding = identityTables.contains(table) ? " OVERRIDING SYSTEM VALUE" : ""
                statement = "INSERT INTO \(table) (\(columns.joined(separator: ", ")))\(overriding) VALUES (\(placeholders))"
            }
            let values = zip(columns, row.values).map { column, value in convert(value, to: types[column] ?? "text") }
            try to.execute(sql: statement!, arguments: SQLArguments(values: values))
            count += 1
        }
        return count
    }

    private static func convert(_ value: SQLValue, to type: String) -> SQLValue {
        switch (value, type) {
        case (.integer(let number), "text"): return .text(String(number))
        case (.real(let number), "text"): return .text(String(number))
        case (.text(let text), "bigint"): return Int64(text).map(SQLValue.integer) ?? value
        case (.real(let number), "bigint"): return Int64(exactly: number).map(SQLValue.integer) ?? value
        case (.text(let text), "bytea"): return .blob(Array(text.utf8))
        default: return value
        }
    }

    /// SQLite's AUTOINCREMENT high-water marks: an erased subscriber's id stays used.
    private static func sqliteSequences(_ db: any SQLSession) throws -> [String: Int64] {
        guard db.dialect == .sqlite,
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_sequence'") == 1
        else { return [:] }
        return Dictionary(try SQLRow.fetchAll(db, sql: "SELECT name, seq FROM sqlite_sequence").map { ($0[0] as String, $0[1] as Int64) },
                          uniquingKeysWith: max)
    }

    /// The source's link secrets: the files beside a SQLite database, or its table.
    private static func linkSecrets(settings: DatabaseSettings, store: Store) throws -> [StoredLinkSecret] {
        if settings.postgres != nil { return try store.read { tx in try tx.linkSecrets() } }
        let path = LinkSecret.path(forDatabase: settings.path)
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let current = StoredLinkSecret(secret: try LinkSecret.load(path: path), retiredAt: nil)
        return [current] + (try LinkSecret.retired(path: path)).map { StoredLinkSecret(secret: $0.secret, retiredAt: $0.retiredAt) }
    }
}
