import Foundation

/// The key that signs link tokens: 32 random bytes in a file beside the database, created
/// at first use with mode 0600. The file is written whole under a temporary name and then
/// hard-linked into place, which fails if it exists: two processes starting together agree
/// on one secret, and nobody ever reads a half-written one.
public enum LinkSecret {
    public static let fileName = "link-secret"
    static let length = 32

    /// The secret file for a database at `databasePath`.
    public static func path(forDatabase databasePath: String) -> String {
        URL(fileURLWithPath: databasePath).deletingLastPathComponent().appendingPathComponent(fileName).path
    }

    /// Reads the secret, creating it first if there is none.
    public static func load(path: String) throws -> Data {
        if let existing = try read(path) { return existing }
        let temporary = "\(path).\(getpid()).\(UInt32.random(in: .min ... .max)).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw NewsletterError.cantCreate("cannot create the link secret \(path): \(String(cString: strerror(errno)))")
        }
        defer { unlink(temporary) }
        var generator = SystemRandomNumberGenerator()
        let secret = Data((0..<length).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        let written = secret.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == length, synced else {
            throw NewsletterError.ioError("cannot write the link secret \(path): \(String(cString: strerror(errno)))")
        }
        if link(temporary, path) != 0 {
            guard errno == EEXIST, let theirs = try read(path) else {
                throw NewsletterError.cantCreate("cannot create the link secret \(path): \(String(cString: strerror(errno)))")
            }
            return theirs
        }
        return secret
    }

    private static func read(_ path: String) throws -> Data? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            if errno == ENOENT { return nil }
            throw NewsletterError.cantCreate(
                "cannot read the link secret \(path) as user \(UnixUser.current): \(String(cString: strerror(errno))); run as the service's user")
        }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: length + 1)
        let count = Foundation.read(descriptor, &buffer, buffer.count)
        guard count == length else {
            throw NewsletterError.badData(
                "the link secret \(path) is damaged (\(max(count, 0)) bytes, expected \(length)); delete it to make a new one (links already sent stop working)")
        }
        return Data(buffer.prefix(length))
    }
}
