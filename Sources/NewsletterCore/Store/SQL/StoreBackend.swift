/// A database the store can run on: SQLite through GRDB or PostgreSQL through postgres-nio,
/// both in the NewsletterStore module. The domains see only ``Store`` and the queries in
/// ``StoreTransaction``; a backend supplies transactions, its locks and its change signal,
/// and translates its own errors into ``NewsletterError`` and ``StoreFailure``.
package protocol StoreBackend: Sendable {
    /// The database as messages name it: a file path, or a URL without its password.
    var name: String { get }

    /// Runs `body` in a read-only snapshot.
    func read<T>(_ body: (any SQLSession) throws -> T) throws -> T

    /// Runs `body` outside a transaction: each statement sees what was committed before it.
    func glance<T>(_ body: (any SQLSession) throws -> T) throws -> T

    /// Runs `body` in one write transaction: all of it is committed or none.
    func write<T>(_ body: (any SQLSession) throws -> T) throws -> T

    /// Runs `body` in one write transaction that locks only the rows it changes, not the
    /// whole store: for the outbox claims, which several daemons make at once.
    func writeRows<T>(_ body: (any SQLSession) throws -> T) throws -> T

    /// Runs `body` in a write transaction that is always rolled back.
    func rehearse<T>(_ body: (any SQLSession) throws -> T) throws -> T

    /// Takes the right to send from this database, held until the lock is released or the
    /// process dies; throws ``NewsletterError/tempFailure(_:)`` when another sender holds it.
    func acquireSenderLock() throws -> any StoreLock

    /// The right to lead (scan the content, run the schedule and housekeeping), or nil while
    /// another process holds it. Held until released or the holder dies.
    func tryLeadership() throws -> (any StoreLock)?

    /// Whether several newsletterd may share this database (PostgreSQL): each sends what it
    /// claimed, and stands by to lead when the leader stops.
    var isShared: Bool { get }

    /// A value that changes whenever any process commits: the daemon polls it to notice work
    /// `newsletterctl` or another daemon queued. Nil when it cannot be read now.
    func changeStamp() -> String?
}

/// A lock held in or beside the database; released by `release()` or by the holder's death.
package protocol StoreLock: AnyObject, Sendable {
    /// False once the lock is gone: released, or its connection to the server lost (the
    /// server then let another process take it).
    var isHeld: Bool { get }

    func release()
}
