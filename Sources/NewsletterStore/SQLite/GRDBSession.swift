import Foundation
import GRDB
import NewsletterCore

/// The store's queries on a GRDB connection.
final class GRDBSession: SQLSession {
    let db: Database

    init(_ db: Database) {
        self.db = db
    }

    var dialect: SQLDialect { .sqlite }

    func execute(sql: String, arguments: SQLArguments) throws {
        try db.cachedStatement(sql: sql).execute(arguments: Self.arguments(arguments))
    }

    var changesCount: Int { db.changesCount }

    var totalChangesCount: Int { db.totalChangesCount }

    var lastInsertedRowID: Int64 { db.lastInsertedRowID }

    func fetchAll(sql: String, arguments: SQLArguments) throws -> [SQLRow] {
        let statement = try db.cachedStatement(sql: sql)
        let columns = statement.columnNames
        return try Row.fetchAll(statement, arguments: Self.arguments(arguments)).map { Self.row($0, columns: columns) }
    }

    func fetchCursor(sql: String, arguments: SQLArguments) throws -> any SQLCursor {
        let statement = try db.cachedStatement(sql: sql)
        return Cursor(rows: try Row.fetchCursor(statement, arguments: Self.arguments(arguments)), columns: statement.columnNames)
    }

    private final class Cursor: SQLCursor, @unchecked Sendable {
        let rows: RowCursor
        let columns: [String]

        init(rows: RowCursor, columns: [String]) {
            self.rows = rows
            self.columns = columns
        }

        func next() throws -> SQLRow? {
            try rows.next().map { GRDBSession.row($0, columns: columns) }
        }
    }

    static func arguments(_ arguments: SQLArguments) -> StatementArguments {
        StatementArguments(arguments.values.map { value -> DatabaseValue in
            switch value {
            case .null: return .null
            case .integer(let number): return number.databaseValue
            case .real(let number): return number.databaseValue
            case .text(let text): return text.databaseValue
            case .blob(let bytes): return Data(bytes).databaseValue
            }
        })
    }

    static func row(_ row: Row, columns: [String]) -> SQLRow {
        SQLRow(
            values: row.databaseValues.map { value in
                switch value.storage {
                case .null: return .null
                case .int64(let number): return .integer(number)
                case .double(let number): return .real(number)
                case .string(let text): return .text(text)
                case .blob(let data): return .blob([UInt8](data))
                }
            },
            columns: columns)
    }
}
