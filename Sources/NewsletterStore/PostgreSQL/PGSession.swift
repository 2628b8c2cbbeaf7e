import NewsletterCore
import PostgresNIO

/// The store's queries on one PostgreSQL connection, inside a transaction.
final class PGSession: SQLSession {
    let connection: PGConnection
    private(set) var changesCount = 0
    private(set) var totalChangesCount = 0

    init(_ connection: PGConnection) {
        self.connection = connection
    }

    var dialect: SQLDialect { .postgresql }

    func execute(sql: String, arguments: SQLArguments) throws {
        let result = try connection.query(sql, arguments.values)
        changesCount = result.affected
        totalChangesCount += result.affected
    }

    /// Every table's id comes from its own identity sequence; `lastval()` is the one this
    /// session's last INSERT drew.
    var lastInsertedRowID: Int64 {
        get throws {
            let rows = try connection.query("SELECT lastval()").rows
            guard let row = rows.first else { return 0 }
            return try PGConnection.row(row)[0]
        }
    }

    func fetchAll(sql: String, arguments: SQLArguments) throws -> [SQLRow] {
        try connection.query(sql, arguments.values).rows.map { try PGConnection.row($0) }
    }

    func fetchAllRepeated(sql: String, arguments: SQLArguments) throws -> [SQLRow] {
        try connection.queryPrepared(sql, arguments.values)
    }

    /// The rows arrive together, in the wire's compact form, and become ``SQLRow``s one at a
    /// time as the caller reads them.
    func fetchCursor(sql: String, arguments: SQLArguments) throws -> any SQLCursor {
        Cursor(rows: try connection.query(sql, arguments.values).rows)
    }

    private final class Cursor: SQLCursor {
        private var rows: [PostgresRow]
        private var index = 0

        init(rows: [PostgresRow]) {
            self.rows = rows
        }

        func next() throws -> SQLRow? {
            guard index < rows.count else {
                rows = []
                return nil
            }
            defer { index += 1 }
            return try PGConnection.row(rows[index])
        }
    }
}
