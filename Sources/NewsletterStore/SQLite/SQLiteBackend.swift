import Foundation
import GRDB
import NewsletterCore

/// The embedded default: one SQLite file in WAL mode, through a GRDB `DatabasePool` with a
/// busy timeout, so a CLI command and a running daemon can write at the same time: one waits
/// for the other instead of failing.
final class SQLiteBackend: StoreBackend {
    let path: String
    let pool: DatabasePool

    var name: String { path }

    private init(path: String, pool: DatabasePool) {
        self.path = path
        self.pool = pool
    }

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    static func open(path: String, busyTimeout: TimeInterval) throws -> SQLiteBackend {
        let url = URL(fileURLWithPath: path)
        try prepareFolder(url.deletingLastPathComponent())

        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.foreignKeysEnabled = true
        configuration.label = "newsletter"
        configuration.prepareDatabase { db in
            // Unsubscribes and "sent" marks must survive a power cut: WAL's NORMAL mode
            // can lose the last commits, FULL cannot.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            let pool = try openPool(path: path, configuration: configuration)
            // DatabasePool turns on WAL after `prepareDatabase` and sets synchronous=NORMAL on
            // its writer as it does: set FULL again on the writer (one connection, for the
            // pool's life), or commits are only synced at checkpoints.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            try Schema.migrate(pool, path: path)
            return SQLiteBackend(path: path, pool: pool)
        } catch let error as NewsletterError {
            throw error
        } catch let error as StoreFailure {
            throw error
        } catch {
            throw StoreError.translate(error, path: path)
        }
    }

    /// Processes that open a brand-new database at the same moment race in GRDB's WAL
    /// set-up: each writes a scratch table inside a deferred savepoint, and the one whose
    /// snapshot another's commit made stale gets SQLITE_BUSY_SNAPSHOT at once, with no busy
    /// handler to wait on. The other has committed by then, so opening again succeeds.
    private static func openPool(path: String, configuration: Configuration) throws -> DatabasePool {
        var attempt = 1
        while true {
            do {
                return try DatabasePool(path: path, configuration: configuration)
            } catch let error as DatabaseError
                where attempt < 5 && (error.extendedResultCode == .SQLITE_BUSY_SNAPSHOT || error.extendedResultCode == .SQLITE_BUSY_RECOVERY)
            {
                attempt += 1
            }
        }
    }

    func read<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        do {
            return try pool.read { db in try body(GRDBSession(db)) }
        } catch let error as DatabaseError {
            throw StoreError.translate(error, path: path)
        }
    }

    func write<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        do {
            return try pool.write { db in try body(GRDBSession(db)) }
        } catch let error as DatabaseError {
            throw StoreError.translate(error, path: path)
        }
    }

    /// A SQLite snapshot costs nothing extra: an ordinary read.
    func glance<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try read(body)
    }

    /// SQLite writes one transaction at a time whatever it locks.
    func writeRows<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try write(body)
    }

    func rehearse<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        do {
            return try pool.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(GRDBSession(db))
                    return .rollback
                }
                return result!
            }
        } catch let error as DatabaseError {
            throw StoreError.translate(error, path: path)
        }
    }

    func acquireSenderLock() throws -> any StoreLock {
        try SQLiteFileLock.sender(databasePath: path)
    }

    func tryLeadership() throws -> (any StoreLock)? {
        try SQLiteFileLock.leadership(databasePath: path)
    }

    /// One daemon per SQLite file: a second one is refused at start (the sender's lock).
    var isShared: Bool { false }

    /// Any commit in WAL mode changes the -wal file: its size, time and inode.
    func changeStamp() -> String? {
        var info = stat()
        guard stat(path + "-wal", &info) == 0 else { return "" }
        return "\(info.st_size)/\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)/\(info.st_ino)"
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
                    "cannot create the database folder \(folder.path): \(SystemErrorReason.text(error)); check database.path in the config")
            }
        }
        if access(folder.path, W_OK | X_OK) != 0 {
            throw NewsletterError.cantCreate(
                "the database folder \(folder.path) is not writable by user \(UnixUser.current): \(String(cString: strerror(errno))); "
                    + "run as the service's user or fix the folder's permissions")
        }
    }
}
