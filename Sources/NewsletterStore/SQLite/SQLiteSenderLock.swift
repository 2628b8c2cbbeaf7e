import Foundation
import NewsletterCore

/// One sender per SQLite database at a time: an exclusive `flock` on `DATABASE.sender.lock`.
/// The kernel drops a dead process's lock, so rows left `sending` can only belong to a
/// sender that died, never to one still running.
final class SQLiteSenderLock: StoreLock, @unchecked Sendable {
    private let lock = NSLock()
    private var fd: Int32
    let path: String

    init(databasePath: String) throws {
        path = databasePath + ".sender.lock"
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o660)
        guard fd >= 0 else {
            throw NewsletterError.cantCreate("cannot open the sender lock \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let busy = errno == EWOULDBLOCK
            let reason = String(cString: strerror(errno))
            Foundation.close(fd)
            if busy {
                throw NewsletterError.tempFailure(
                    "another newsletterd is already sending from this database (it holds \(path)); try again when it has finished")
            }
            throw NewsletterError.ioError("cannot lock \(path): \(reason)")
        }
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
