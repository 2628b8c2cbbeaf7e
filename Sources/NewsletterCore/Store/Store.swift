import Foundation

/// The database the daemon and `newsletterctl` share, on whichever backend the config names.
///
/// Every read and write goes through `read` and `write`, which hand the body a
/// ``StoreTransaction``; the backend turns its failures into one-line ``NewsletterError``s
/// and ``StoreFailure``s. `Store.open` (in NewsletterStore) picks the backend.
public final class Store: Sendable {
    package let backend: any StoreBackend

    package init(backend: any StoreBackend) {
        self.backend = backend
    }

    /// The database as messages name it: a file path, or a URL without its password.
    public var name: String { backend.name }

    /// Runs `body` in a read-only snapshot.
    public func read<T>(_ body: (StoreTransaction) throws -> T) throws -> T {
        try backend.read { db in try body(StoreTransaction(db: db)) }
    }

    /// Runs `body` on what is committed, without a snapshot: each statement sees what was
    /// committed before it ran. For one query, or several that need not agree; on PostgreSQL
    /// it saves a transaction's two extra round trips (the sender's last look before each
    /// message goes on the wire).
    public func glance<T>(_ body: (StoreTransaction) throws -> T) throws -> T {
        try backend.glance { db in try body(StoreTransaction(db: db)) }
    }

    /// Runs `body` in one write transaction: either all of it is committed or none.
    public func write<T>(_ body: (StoreTransaction) throws -> T) throws -> T {
        try backend.write { db in try body(StoreTransaction(db: db)) }
    }

    /// Runs `body` in one write transaction that, on PostgreSQL, runs beside other processes'
    /// writes instead of after them: only for work that locks the rows it reads and changes
    /// (claiming outbox messages `FOR UPDATE SKIP LOCKED`, recording their results by id), so
    /// that several daemons send at once. On SQLite it is ``write(_:)``.
    public func writeRows<T>(_ body: (StoreTransaction) throws -> T) throws -> T {
        try backend.writeRows { db in try body(StoreTransaction(db: db)) }
    }

    /// Runs `body` in a write transaction that is always rolled back: a dry run sees exactly
    /// what a real run would do, and leaves nothing behind.
    public func rehearse<T>(_ body: (StoreTransaction) throws -> T) throws -> T {
        try backend.rehearse { db in try body(StoreTransaction(db: db)) }
    }

    /// The right to send from a database only one sender may use (SQLite's): rows left
    /// `sending` then belong to a sender that died. A shared database (``isShared``) has
    /// many senders, each holding leases on what it claimed.
    package func acquireSenderLock() throws -> any StoreLock {
        try backend.acquireSenderLock()
    }

    /// The right to lead, or nil while another process leads.
    package func tryLeadership() throws -> (any StoreLock)? {
        try backend.tryLeadership()
    }

    /// Whether several newsletterd may share this database.
    package var isShared: Bool { backend.isShared }

    /// Changes whenever any process commits.
    package func changeStamp() -> String? {
        backend.changeStamp()
    }
}

/// The handle a ``Store/read(_:)`` or ``Store/write(_:)`` body works through. The store's
/// SQL lives in extensions of this type, one file per table family, written once for both
/// backends.
public struct StoreTransaction {
    package let db: any SQLSession

    package init(db: any SQLSession) {
        self.db = db
    }
}
