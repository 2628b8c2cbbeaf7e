import Foundation
import NewsletterCore
import PostgresNIO

/// A PostgreSQL server shared by any number of newsletterd and newsletterctl processes.
///
/// Reads run in REPEATABLE READ snapshots. Writes take one transaction-scoped advisory lock
/// first, so they run one at a time across every process, as SQLite's writes do: the
/// store's read-then-write transactions (recording a digest, a sign-up) keep the meaning
/// they have on SQLite. The outbox claims (``writeRows(_:)``) lock only their rows, so the
/// daemons' senders claim and record in parallel. Each write ends with a NOTIFY, which the daemons'
/// ``changeStamp()`` listens for.
final class PostgresBackend: StoreBackend {
    /// Advisory lock keys: "nl" and a number, so they do not collide with other programs'.
    enum LockKey: Int64 {
        case writes = 0x6e6c_0001
        case migrations = 0x6e6c_0002
        case sender = 0x6e6c_0003
        case leader = 0x6e6c_0004
    }

    static let changeChannel = "newsletter_change"

    let settings: PostgresSettings
    let pool: PGPool
    private let listener: ChangeListener
    /// A follower's connection, kept between its tries for the leader's lock.
    private let candidate = LockCandidate()

    var name: String { settings.description }

    private init(settings: PostgresSettings) {
        self.settings = settings
        pool = PGPool(settings: settings)
        listener = ChangeListener(settings: settings)
    }

    static func open(_ settings: PostgresSettings) throws -> PostgresBackend {
        let backend = PostgresBackend(settings: settings)
        try backend.pool.withConnection { connection in
            try backend.guarded { try PostgresSchema.migrate(connection, name: settings.description) }
        }
        return backend
    }

    func read<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try transaction(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", commit: true, body)
    }

    func write<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try transaction(begin: "BEGIN", lock: true, commit: true, body)
    }

    /// Autocommit: each statement its own snapshot.
    func glance<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try guarded { try pool.withConnection { connection in try body(PGSession(connection)) } }
    }

    func writeRows<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try transaction(begin: "BEGIN", lock: false, commit: true, body)
    }

    func rehearse<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try transaction(begin: "BEGIN", lock: true, commit: false, body)
    }

    private func transaction<T>(begin: String, lock: Bool = false, commit: Bool, _ body: (any SQLSession) throws -> T) throws -> T {
        try guarded {
            try pool.withConnection { connection in
                _ = try connection.query(begin)
                do {
                    if lock { _ = try connection.query("SELECT pg_advisory_xact_lock(\(LockKey.writes.rawValue))") }
                    let session = PGSession(connection)
                    let result = try body(session)
                    if commit {
                        if session.totalChangesCount > 0 { _ = try connection.query("NOTIFY \(Self.changeChannel)") }
                        _ = try connection.query("COMMIT")
                    } else {
                        _ = try connection.query("ROLLBACK")
                    }
                    return result
                } catch {
                    // A failed statement aborts the transaction; a lost connection ends it.
                    if !connection.isClosed { _ = try? connection.query("ROLLBACK") }
                    throw error
                }
            }
        }
    }

    /// Runs `work`, turning PostgreSQL's errors into the store's one-line errors.
    private func guarded<T>(_ work: () throws -> T) throws -> T {
        do {
            return try work()
        } catch {
            throw PostgresErrors.translate(error, settings: settings)
        }
    }

    /// A session-scoped advisory lock on a connection of its own: the server drops it when
    /// the holder's connection ends, as the kernel drops a dead process's `flock`.
    func acquireSenderLock() throws -> any StoreLock {
        try guarded {
            let connection = try Self.lockConnection(settings)
            guard try Self.tryLock(.sender, on: connection) else {
                connection.close()
                throw NewsletterError.tempFailure(
                    "another newsletterd is already sending from \(settings.description); try again when it has finished")
            }
            return PGAdvisoryLock(connection: connection, key: LockKey.sender.rawValue)
        }
    }

    func tryLeadership() throws -> (any StoreLock)? {
        try guarded {
            let connection = try candidate.take() ?? Self.lockConnection(settings)
            guard try Self.tryLock(.leader, on: connection) else {
                candidate.keep(connection)
                return nil
            }
            return PGAdvisoryLock(connection: connection, key: LockKey.leader.rawValue)
        }
    }

    var isShared: Bool { true }

    /// A connection for holding a lock. The server probes it every few seconds, so a holder
    /// whose host dies without closing it (a power cut) loses the lock within about 25 s,
    /// not TCP's two hours.
    private static func lockConnection(_ settings: PostgresSettings) throws -> PGConnection {
        let connection = try PGConnection.connect(settings)
        do {
            _ = try connection.query("SET tcp_keepalives_idle = 10")
            _ = try connection.query("SET tcp_keepalives_interval = 5")
            _ = try connection.query("SET tcp_keepalives_count = 3")
        } catch {
            connection.close()
            throw error
        }
        return connection
    }

    private static func tryLock(_ key: LockKey, on connection: PGConnection) throws -> Bool {
        let rows = try connection.query("SELECT pg_try_advisory_lock(\(key.rawValue))").rows
        return try rows.first.map { try PGConnection.row($0)[0] } ?? false
    }

    func changeStamp() -> String? {
        listener.stamp()
    }
}

/// A session advisory lock held by its own connection.
final class PGAdvisoryLock: StoreLock, @unchecked Sendable {
    private let lock = NSLock()
    private var connection: PGConnection?
    private let key: Int64

    init(connection: PGConnection, key: Int64) {
        self.connection = connection
        self.key = key
    }

    /// Held while its connection lives: when the server loses it, the lock is gone.
    var isHeld: Bool {
        lock.lock()
        defer { lock.unlock() }
        guard let connection else { return false }
        return !connection.isClosed
    }

    func release() {
        lock.lock()
        let held = connection
        connection = nil
        lock.unlock()
        guard let held else { return }
        // A closed connection's lock went with it.
        if !held.isClosed { _ = try? held.query("SELECT pg_advisory_unlock(\(key))") }
        held.close()
    }

    deinit {
        release()
    }
}

/// The connection a follower tries the leader's lock on, kept open between tries.
final class LockCandidate: @unchecked Sendable {
    private let lock = NSLock()
    private var connection: PGConnection?

    func take() -> PGConnection? {
        lock.lock()
        defer { lock.unlock() }
        let taken = connection
        connection = nil
        guard let taken, !taken.isClosed else { return nil }
        return taken
    }

    func keep(_ connection: PGConnection) {
        lock.lock()
        let old = self.connection
        self.connection = connection
        lock.unlock()
        old?.close()
    }

    deinit {
        connection?.close()
    }
}

/// LISTENs for the NOTIFY every write sends. The stamp changes on each notification, and
/// also whenever the listening connection had to be opened again (a notification may have
/// been missed meanwhile, so the daemon looks).
final class ChangeListener: @unchecked Sendable {
    private let settings: PostgresSettings
    private let lock = NSLock()
    private var connection: PGConnection?
    private var generation = 0
    private var count = 0

    init(settings: PostgresSettings) {
        self.settings = settings
    }

    func stamp() -> String? {
        lock.lock()
        let current = connection
        lock.unlock()
        if current == nil || current?.isClosed == true {
            current?.close()
            guard let fresh = try? PGConnection.connect(settings) else { return nil }
            fresh.connection.addListener(channel: PostgresBackend.changeChannel) { [weak self] _, _ in
                guard let self else { return }
                self.lock.lock()
                self.count += 1
                self.lock.unlock()
            }
            guard (try? fresh.query("LISTEN \(PostgresBackend.changeChannel)")) != nil else {
                fresh.close()
                return nil
            }
            lock.lock()
            connection = fresh
            generation += 1
            lock.unlock()
        }
        lock.lock()
        defer { lock.unlock() }
        return "\(generation)/\(count)"
    }

    deinit {
        connection?.close()
    }
}
