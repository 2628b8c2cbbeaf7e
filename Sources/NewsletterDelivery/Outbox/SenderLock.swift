import Foundation
import NewsletterCore

/// One sender per database at a time: an exclusive `flock` on `DATABASE.sender.lock`.
///
/// Holding it is what makes recovery safe: rows left `sending` can only belong to a sender
/// that died (the kernel drops a dead process's lock), never to one still running.
final class SenderLock: @unchecked Sendable {
    private let fd: Int32
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

    deinit {
        flock(fd, LOCK_UN)
        Foundation.close(fd)
    }
}
