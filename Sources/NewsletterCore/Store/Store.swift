import Foundation
import GRDB

/// The SQLite database the daemon and `newsletterctl` share.
///
/// A WAL-mode `DatabasePool` with a busy timeout, so a CLI command and a running daemon can
/// write at the same time: one waits for the other instead of failing. Every read and write
/// goes through `read` and `write`, which hand the body a ``StoreTransaction`` and turn
/// SQLite failures into one-line ``NewsletterError``s.
public final class Store: Sendable {
    /// Absolute path of the database file.
    public let path: String
    let pool: DatabasePool

    private init(path: String, pool: DatabasePool) {
        self.path = path
        self.pool = pool
    }

    /// Opens (creating if needed) the database at `settings.path` and brings its schema up
    /// to date. Both binaries call this; migrations are safe to race between processes.
    public static func open(_ settings: DatabaseSettings) throws -> Store {
        let url = URL(fileURLWithPath: settings.path)
        try prepareFolder(url.deletingLastPathComponent())

        var configuration = Configuration()
        configuration.busyMode = .timeout(settings.busyTimeout)
        configuration.foreignKeysEnabled = true
        configuration.label = "newsletter"
        configuration.prepareDatabase { db in
            // Unsubscribes and "sent" marks must survive a power cut: WAL's NORMAL mode
            // can lose the last commits, FULL cannot.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            let pool = try DatabasePool(path: settings.path, configuration: configuration)
            // DatabasePool turns on WAL after `prepareDatabase` and sets synchronous=NORMAL on
            // its writer as it does: set FULL again on the writer (one connection, for the
            // pool's life), or commits are only synced at checkpoints.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            let store = Store(path: settings.path, pool: pool)
            try Schema.migrate(pool, path: settings.path)
            return store
        } catch let error as NewsletterError {
            throw error
        } catch let error as StoreFailure {
            throw error
        } catch {
            throw StoreError.translate(error, path: settings.path)
        }
    }

    /// Runs `body` in a read-only snapshot.
    public func read<T>(_ body: (StoreTransaction) throws -> T) throws -> T {
        do {
            return try pool.read { db in try body(StoreTransaction(db: db)) }
        } catch let error as DatabaseError {
            throw StoreError.translate(error, path: path)
        }
    }

    /// Runs `body` in one write transaction: either all of it is committed or none.
    public func write<T>(_ body: (StoreTransaction) throws -> T) throws -> T {
        do {
            return try pool.write { db in try body(StoreTransaction(db: db)) }
        } catch let error as DatabaseError {
            throw StoreError.translate(error, path: path)
        }
    }

    /// Runs `body` in a write transaction that is always rolled back: a dry run sees exactly
    /// what a real run would do, and leaves nothing behind.
    public func rehearse<T>(_ body: (StoreTransaction) throws -> T) throws -> T {
        do {
            return try pool.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(StoreTransaction(db: db))
                    return .rollback
                }
                return result!
            }
        } catch let error as DatabaseError {
            throw StoreError.translate(error, path: path)
        }
    }

    /// The folder must exist and be writable: SQLite creates its -wal and -shm files there.
    private static func prepareFolder(_ folder: URL) throws {
        let manager = FileManager.default
        var isFolder: ObjCBool = false
        if manager.fileExists(atPath: folder.path, isDirectory: &isFolder) {
            guard isFolder.boolValue else {
                throw NewsletterError.cantCreate(
                    "database folder \(folder.path) is a file, not a folder; check database.path in the config")
            }
        } else {
            do {
                try manager.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
            } catch {
                throw NewsletterError.cantCreate(
                    "cannot create the database folder \(folder.path): \(StoreError.reason(error)); check database.path in the config")
            }
        }
        if access(folder.path, W_OK | X_OK) != 0 {
            throw NewsletterError.cantCreate(
                "the database folder \(folder.path) is not writable by user \(UnixUser.current): \(String(cString: strerror(errno))); "
                    + "run as the service's user or fix the folder's permissions")
        }
    }
}

/// The handle a ``Store/read(_:)`` or ``Store/write(_:)`` body works through. The store's
/// SQL lives in extensions of this type, one file per table family.
public struct StoreTransaction {
    let db: Database
}
