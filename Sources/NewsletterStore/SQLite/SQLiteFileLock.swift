import Foundation
import NewsletterCore

/// An exclusive `flock` on a file beside the database: `DATABASE.sender.lock` (one sender at
/// a time) or `DATABASE.leader.lock` (one leader). The kernel drops a dead process's lock,
/// so rows left `sending` can only belong to a sender that died, never to one still running.
final class SQLiteFileLock: StoreLock, @unchecked Sendable {
    private let lock = NSLock()
    private var fd: Int32
    let path: String

    private init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    /// The sender's lock; a temporary failure when another process holds it.
    static func sender(databasePath: String) throws -> SQLiteFileLock {
        let path = databasePath + ".sender.lock"
        guard let fd = try take(path) else {
            throw NewsletterError.tempFailure(
                "another newsletterd is already sending from this database (it holds \(path)); try again when it has finished")
        }
        return SQLiteFileLock(fd: fd, path: path)
    }

    /// The leader's lock, or nil while another process leads.
    static func leadership(databasePath: String) throws -> SQLiteFileLock? {
        let path = databasePath + ".leader.lock"
        return try take(path).map { SQLiteFileLock(fd: $0, path: path) }
    }

    /// The locked descriptor, or nil when another process holds the lock.
    private static func take(_ path: String) throws -> Int32? {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o660)
        guard fd >= 0 else {
            throw NewsletterError.cantCreate("cannot open the lock \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let busy = errno == EWOULDBLOCK
            let reason = String(cString: strerror(errno))
            Foundation.close(fd)
            if busy { return nil }
            throw NewsletterError.ioError("cannot lock \(path): \(reason)")
        }
        return fd
    }

    var isHeld: Bool {
        lock.lock()
        defer { lock.unlock() }
        return fd >= 0
    }

    func release() {
        lock.lock()
        defer { lock.unlock() }
        guard fd >= 0 else { return }
        flock(fd, LOCK_UN)
        Foundation.close(fd)
        fd = -1
    }

    deinit {
        release()
    }
}
