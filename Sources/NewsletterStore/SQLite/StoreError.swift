import Foundation
import GRDB
import NewsletterCore

/// Turns SQLite and file-system failures into one-line messages: a ``StoreFailure`` for what
/// passes (busy, full), a ``NewsletterError`` with a fitting exit status for the rest.
enum StoreError {
    static func translate(_ error: any Error, path: String) -> any Error {
        guard let error = error as? DatabaseError else {
            return NewsletterError.ioError("database \(path): \(SystemErrorReason.text(error))")
        }
        let detail = error.message ?? "\(error.resultCode)"
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return StoreFailure(.busy, "database \(path) stayed locked by another process past the busy timeout; try again (or raise database.busy_timeout)")
        case .SQLITE_FULL:
            return StoreFailure(.full, "database \(path): the disk is full; nothing was changed; free some space and try again")
        case .SQLITE_CANTOPEN:
            return NewsletterError.cantCreate("cannot open database \(path): \(detail); check database.path and the folder's permissions")
        case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_AUTH:
            return NewsletterError.cantCreate("database \(path) is read-only for user \(UnixUser.current); run as the service's user or fix the file's permissions")
        case .SQLITE_NOTADB:
            return NewsletterError.badData("\(path) is not a SQLite database; check database.path in the config")
        case .SQLITE_CORRUPT:
            return NewsletterError.badData("database \(path) is damaged (\(detail)); restore it from a backup")
        case .SQLITE_IOERR:
            return NewsletterError.ioError("database \(path): input/output error (\(detail)); check the disk")
        default:
            return NewsletterError.internalError("database \(path): \(detail)")
        }
    }
}
