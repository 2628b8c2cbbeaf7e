import Foundation
import NewsletterCore

/// Up to `database.max_connections` connections per process, opened when first needed and
/// kept for reuse; a caller waits for a free one. A connection the server closed is dropped
/// and the next caller opens a fresh one, so a restarted server is reconnected to.
final class PGPool: @unchecked Sendable {
    let settings: PostgresSettings
    private let condition = NSCondition()
    private var idle: [PGConnection] = []
    private var open = 0
    private var closed = false

    init(settings: PostgresSettings) {
        self.settings = settings
    }

    func withConnection<T>(_ body: (PGConnection) throws -> T) throws -> T {
        let connection = try take()
        defer { give(connection) }
        return try body(connection)
    }

    private func take() throws -> PGConnection {
        condition.lock()
        while idle.isEmpty && open >= settings.maxConnections && !closed { condition.wait() }
        if let connection = idle.popLast() {
            condition.unlock()
            if !connection.isClosed { return connection }
            connection.close()
            return try reopen()
        }
        open += 1
        condition.unlock()
        return try reopen()
    }

    /// Opens a connection for a slot already counted in `open`.
    private func reopen() throws -> PGConnection {
        do {
            return try PGConnection.connect(settings)
        } catch {
            condition.lock()
            open -= 1
            condition.signal()
            condition.unlock()
            throw error
        }
    }

    private func give(_ connection: PGConnection) {
        condition.lock()
        if connection.isClosed || closed {
            open -= 1
            condition.unlock()
            connection.close()
        } else {
            idle.append(connection)
            condition.unlock()
        }
        condition.lock()
        condition.signal()
        condition.unlock()
    }

    deinit {
        close()
    }

    func close() {
        condition.lock()
        closed = true
        let connections = idle
        idle = []
        open -= connections.count
        condition.broadcast()
        condition.unlock()
        for connection in connections { connection.close() }
    }
}
