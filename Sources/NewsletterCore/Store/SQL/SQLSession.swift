/// The SQL dialects the store speaks. The store's queries are written once, in what SQLite
/// and PostgreSQL share; the few places they differ ask ``SQLSession/dialect``.
package enum SQLDialect: Sendable {
    case sqlite
    case postgresql
}

/// One connection inside one transaction, as a backend hands it to the store's queries.
/// Statements use `?` placeholders on both backends.
package protocol SQLSession: AnyObject {
    var dialect: SQLDialect { get }

    /// Runs a statement that returns no rows.
    func execute(sql: String, arguments: SQLArguments) throws

    /// Rows changed by the last `execute` on this session.
    var changesCount: Int { get }

    /// Rows changed by every statement on this session so far.
    var totalChangesCount: Int { get }

    /// The id the last `INSERT` on this session gave its row.
    var lastInsertedRowID: Int64 { get throws }

    func fetchAll(sql: String, arguments: SQLArguments) throws -> [SQLRow]

    /// Rows one at a time, without loading them all: for lists as long as the subscribers.
    func fetchCursor(sql: String, arguments: SQLArguments) throws -> any SQLCursor

    /// Rows of a statement run many times (``cachedStatement(sql:)``), which a backend may
    /// prepare once per connection. On PostgreSQL its parameters are sent in binary as
    /// `bigint`, `double precision`, `text` or `bytea`: such a statement compares them only
    /// with columns (or LIMITs) of those types.
    func fetchAllRepeated(sql: String, arguments: SQLArguments) throws -> [SQLRow]
}

package protocol SQLCursor: AnyObject {
    func next() throws -> SQLRow?
}

extension SQLSession {
    package func execute(sql: String) throws {
        try execute(sql: sql, arguments: [])
    }

    package func fetchAllRepeated(sql: String, arguments: SQLArguments) throws -> [SQLRow] {
        try fetchAll(sql: sql, arguments: arguments)
    }

    /// A table of the strings in the JSON array `column` (topics), one per row in column
    /// `alias.value`, for a FROM clause. Text that is not a JSON array counts as empty.
    package func jsonEach(_ column: String, as alias: String) -> String {
        switch dialect {
        case .sqlite:
            return "json_each(CASE WHEN json_valid(\(column)) THEN \(column) ELSE '[]' END) AS \(alias)"
        case .postgresql:
            return "json_array_elements_text(CASE WHEN \(column) LIKE '[%' THEN \(column) ELSE '[]' END::json) AS \(alias)(value)"
        }
    }

    /// The larger of two non-NULL values: SQLite's two-argument MAX, PostgreSQL's GREATEST.
    package func greatest(_ first: String, _ second: String) -> String {
        dialect == .sqlite ? "MAX(\(first), \(second))" : "GREATEST(\(first), \(second))"
    }

    /// A statement run many times in one transaction. Backends cache what they prepare by
    /// its text, so this only names the SQL once.
    package func cachedStatement(sql: String) throws -> SQLStatement {
        SQLStatement(session: self, sql: sql)
    }
}

package struct SQLStatement {
    let session: any SQLSession
    let sql: String

    package func execute(arguments: SQLArguments = []) throws {
        try session.execute(sql: sql, arguments: arguments)
    }
}

// Reads in the shape of GRDB's `Row.fetchAll(db, sql:arguments:)`, so queries read the same
// on every backend.
extension SQLRow {
    package static func fetchAll(_ db: any SQLSession, sql: String, arguments: SQLArguments = []) throws -> [SQLRow] {
        try db.fetchAll(sql: sql, arguments: arguments)
    }

    package static func fetchAll(_ statement: SQLStatement, arguments: SQLArguments = []) throws -> [SQLRow] {
        try statement.session.fetchAllRepeated(sql: statement.sql, arguments: arguments)
    }

    package static func fetchOne(_ db: any SQLSession, sql: String, arguments: SQLArguments = []) throws -> SQLRow? {
        try db.fetchAll(sql: sql, arguments: arguments).first
    }

    package static func fetchOne(_ statement: SQLStatement, arguments: SQLArguments = []) throws -> SQLRow? {
        try statement.session.fetchAllRepeated(sql: statement.sql, arguments: arguments).first
    }

    package static func fetchCursor(_ db: any SQLSession, sql: String, arguments: SQLArguments = []) throws -> any SQLCursor {
        try db.fetchCursor(sql: sql, arguments: arguments)
    }

    package static func fetchCursor(_ statement: SQLStatement, arguments: SQLArguments = []) throws -> any SQLCursor {
        try statement.session.fetchCursor(sql: statement.sql, arguments: arguments)
    }
}

extension SQLReadable {
    /// The first column of the first row, or nil when there is no row or it holds NULL.
    package static func fetchOne(_ db: any SQLSession, sql: String, arguments: SQLArguments = []) throws -> Self? {
        firstColumn(of: try db.fetchAll(sql: sql, arguments: arguments).first)
    }

    package static func fetchOne(_ statement: SQLStatement, arguments: SQLArguments = []) throws -> Self? {
        firstColumn(of: try SQLRow.fetchOne(statement, arguments: arguments))
    }

    private static func firstColumn(of row: SQLRow?) -> Self? {
        guard let row, let value = row.values.first else { return nil }
        if case .null = value { return nil }
        let result: Self = row[0]
        return result
    }

    /// The first column of every row.
    package static func fetchAll(_ db: any SQLSession, sql: String, arguments: SQLArguments = []) throws -> [Self] {
        try db.fetchAll(sql: sql, arguments: arguments).map { $0[0] }
    }

    package static func fetchAll(_ statement: SQLStatement, arguments: SQLArguments = []) throws -> [Self] {
        try SQLRow.fetchAll(statement, arguments: arguments).map { $0[0] }
    }
}
