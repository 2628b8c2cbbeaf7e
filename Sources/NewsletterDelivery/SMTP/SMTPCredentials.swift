import Foundation
import Logging
import NewsletterCore

/// The relay login. The password comes from `smtp.password_file`, else from
/// `$CREDENTIALS_DIRECTORY/smtp-password` (systemd `LoadCredential=smtp-password:...`);
/// never from the YAML, and it is never logged.
struct SMTPCredentials: Sendable {
    var username: String
    var password: String

    /// nil when `smtp.username` is not set (no AUTH).
    static func load(_ settings: SMTPSettings, environment: [String: String], logger: Logger) throws -> SMTPCredentials? {
        guard let username = settings.username else { return nil }
        let path: String
        if let file = settings.passwordFile {
            path = file
        } else if let folder = environment["CREDENTIALS_DIRECTORY"], !folder.isEmpty {
            path = URL(fileURLWithPath: folder).appendingPathComponent("smtp-password").path
        } else {
            throw NewsletterError.config(
                "smtp.username is set but there is no password: set smtp.password_file, or give the service the credential smtp-password")
        }
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw NewsletterError.config("cannot read the SMTP password file \(path): \(String(cString: strerror(errno)))")
        }
        if info.st_mode & S_IFMT != S_IFREG {
            throw NewsletterError.config("the SMTP password file \(path) is not a regular file")
        }
        if info.st_mode & 0o004 != 0 {
            logger.warning(
                "the SMTP password file can be read by every user on this machine; make it readable by the service alone (chmod o-r)",
                metadata: ["file": "\(path)"])
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw NewsletterError.config(
                "cannot read the SMTP password file \(path) as user \(UnixUser.current): \(String(cString: strerror(errno)))")
        }
        var password = String(decoding: data, as: UTF8.self)
        // A file written by an editor or `echo` ends with a newline that is not part of the password.
        while password.hasSuffix("\n") || password.hasSuffix("\r") { password.removeLast() }
        if password.isEmpty {
            throw NewsletterError.config("the SMTP password file \(path) is empty")
        }
        if password.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) {
            throw NewsletterError.config("the SMTP password file \(path) holds more than one line; it must hold the password alone")
        }
        return SMTPCredentials(username: username, password: password)
    }
}
