import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import NewsletterCore
import PostgresNIO

/// One connection to the server, used synchronously. The store's callers run on threads of
/// their own (Dispatch queues, the web server's thread pool, the CLI's main thread), never on
/// an event loop, so each call waits for its future there; the event loop only does the I/O.
package final class PGConnection: @unchecked Sendable {
    let connection: PostgresConnection
    private let logger: Logger
    /// Statements prepared on this connection, by their text. Used by one thread at a time
    /// (the pool lends a connection to one caller).
    private var prepared: [String: PreparedQuery] = [:]
    static let maxPrepared = 64
    private static let ids = NSLock()
    nonisolated(unsafe) private static var nextID = 1

    private init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    var isClosed: Bool { connection.isClosed }

    package static func connect(_ settings: PostgresSettings, logger: Logger = Logger(label: "newsletter.postgres")) throws -> PGConnection {
        var configuration: PostgresConnection.Configuration
        if let folder = settings.socketFolder {
            configuration = .init(
                unixSocketPath: "\(folder)/.s.PGSQL.\(settings.port)", username: settings.user, password: settings.password?.value,
                database: settings.database)
        } else {
            configuration = .init(
                host: settings.host, port: settings.port, username: settings.user, password: settings.password?.value,
                database: settings.database, tls: try tls(settings))
        }
        configuration.options.connectTimeout = .seconds(10)
        configuration.options.additionalStartupParameters = [("application_name", "carers-newsletter")]
        ids.lock()
        let id = nextID
        nextID += 1
        ids.unlock()
        do {
            let connection = try PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: id, logger: logger
            ).wait()
            return PGConnection(connection: connection, logger: logger)
        } catch {
            throw PostgresErrors.translate(error, settings: settings)
        }
    }

    /// libpq's `sslmode`, except that every mode that insists on TLS also verifies the
    /// server's certificate (see ``PostgresSettings/TLSMode``).
    private static func tls(_ settings: PostgresSettings) throws -> PostgresConnection.Configuration.TLS {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch settings.tls {
        case .disable:
            return .disable
        case .allow, .prefer:
            configuration.certificateVerification = .none
        case .require, .verifyCA:
            configuration.certificateVerification = .noHostnameVerification
        case .verifyFull:
            configuration.certificateVerification = .fullVerification
        }
        if let file = settings.rootCertificate {
            guard FileManager.default.isReadableFile(atPath: file) else {
                throw NewsletterError.config("database.url: sslrootcert \(file) cannot be read; give the CA certificate (PEM) that signed the server's")
            }
            configuration.trustRoots = .file(file)
        }
        do {
            let context = try NIOSSLContext(configuration: configuration)
            return settings.tls == .allow || settings.tls == .prefer ? .prefer(context) : .require(context)
        } catch {
            throw NewsletterError.config("database.url: cannot set up TLS: \(error)")
        }
    }

    package struct Result {
        package let rows: [PostgresRow]
        package let affected: Int
    }

    /// Runs `sql` (with `?` placeholders) and collects its rows.
    @discardableResult
    package func query(_ sql: String, _ arguments: [SQLValue] = []) throws -> Result {
        var bindings = PostgresBindings(capacity: arguments.count)
        for value in arguments {
            switch value {
            case .null: bindings.appendNull()
            case .integer(let number): bindings.append(number)
            case .real(let number): bindings.append(number)
            case .text(let text): bindings.append(text)
            case .blob(let bytes): bindings.append(ByteBuffer(bytes: bytes))
            }
        }
        let query = PostgresQuery(unsafeSQL: Self.numberPlaceholders(sql), binds: bindings)
        let result = try answer(connection.query(query, logger: logger))
        return Result(rows: result.rows, affected: result.metadata.rows ?? 0)
    }

    /// Runs a SELECT prepared once on this connection: the server parses and plans it once,
    /// instead of at every run. The last look before each message goes out is one of these,
    /// and planning it cost more than running it (0.31 against 0.12 ms a query in pgbench).
    /// Parameters go in binary: integers as `bigint`, text as `text` (see
    /// `SQLSession.fetchAllRepeated`).
    package func queryPrepared(_ sql: String, _ arguments: [SQLValue]) throws -> [SQLRow] {
        let text = Self.numberPlaceholders(sql)
        let statement: PreparedQuery
        if let known = prepared[text] {
            statement = known
        } else {
            // The store has a handful of repeated statements; a text that varies without
            // end (an IN list of every length) runs unprepared past the limit.
            guard prepared.count < Self.maxPrepared else { return try query(sql, arguments).rows.map { try Self.row($0) } }
            statement = try answer(connection.prepare(query: text))
            prepared[text] = statement
        }
        let binds = arguments.map { value -> PostgresData in
            switch value {
            case .null: return PostgresData(type: .null)
            case .integer(let number): return PostgresData(int64: number)
            case .real(let number): return PostgresData(double: number)
            case .text(let text): return PostgresData(string: text)
            case .blob(let bytes): return PostgresData(bytes: bytes)
            }
        }
        // postgres-nio 1.33 asks for every result column in binary but hands back the
        // statement's Describe, which says text; the cells are read as what they are.
        return try answer(statement.execute(binds)).map { try Self.row($0, binary: true) }
    }

    package func close() {
        _ = try? answer(connection.close())
    }

    /// Waits for `future`, or until the connection is closed without answering it.
    /// postgres-nio can leave a query made as its connection closes (the server restarted,
    /// the network dropped) waiting for ever (the fix, vapor/postgres-nio#487, was reverted in
    /// #501); a caller blocked there would hold the sender's or the leader's lock object and
    /// stop newsletterd from shutting down.
    private func answer<T: Sendable>(_ future: EventLoopFuture<T>) throws -> T {
        let done = DispatchSemaphore(value: 0)
        future.whenComplete { _ in done.signal() }
        var closedFor = 0
        while done.wait(timeout: .now() + .milliseconds(500)) == .timedOut {
            // A future that fails because the connection closed completes within moments of
            // the close; give it two slices before deciding it never will.
            closedFor = connection.isClosed ? closedFor + 1 : 0
            if closedFor > 2 { throw PGConnectionLost() }
        }
        return try future.wait()
    }

    /// `?` to `$1`, `$2`, ...: the store's SQL is written once with SQLite's placeholders.
    /// Question marks inside quotes, identifiers and comments are left alone.
    static func numberPlaceholders(_ sql: String) -> String {
        var output = ""
        output.reserveCapacity(sql.utf8.count + 16)
        var number = 0
        var quote: Character?
        var previous: Character?
        var inComment = false
        for character in sql {
            if inComment {
                if character == "\n" { inComment = false }
            } else if let open = quote {
                if character == open { quote = nil }
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character == "-" && previous == "-" {
                inComment = true
            } else if character == "?" {
                number += 1
                output += "$\(number)"
                previous = character
                continue
            }
            output.append(character)
            previous = character
        }
        return output
    }

    /// A row's cells as the store reads them.
    static func row(_ row: PostgresRow, binary: Bool = false) throws -> SQLRow {
        var values: [SQLValue] = []
        var columns: [String] = []
        values.reserveCapacity(row.count)
        columns.reserveCapacity(row.count)
        for var cell in row {
            if binary { cell.format = .binary }
            columns.append(cell.columnName)
            values.append(try value(cell))
        }
        return SQLRow(values: values, columns: columns)
    }

    private static func value(_ cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8, .oid:
            return .integer(try cell.decode(Int64.self))
        case .bool:
            return .integer(try cell.decode(Bool.self) ? 1 : 0)
        case .float4, .float8:
            return .real(try cell.decode(Double.self))
        case .numeric:
            // SUM and AVG of integers: whole numbers stay integers, as in SQLite.
            let decimal = try cell.decode(Decimal.self)
            let text = "\(decimal)"
            if let whole = Int64(text) { return .integer(whole) }
            return .real(Double(text) ?? 0)
        case .bytea:
            let buffer = try cell.decode(ByteBuffer.self)
            return .blob(Array(buffer.readableBytesView))
        default:
            return .text(try cell.decode(String.self))
        }
    }
}

/// A query whose connection closed before it was answered.
struct PGConnectionLost: Error {}
