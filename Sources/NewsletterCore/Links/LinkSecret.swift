import Foundation

/// The key that signs link tokens: 32 random bytes in a file beside the database, created
/// at first use with mode 0600. The file is written whole under a temporary name and then
/// hard-linked into place, which fails if it exists: two processes starting together agree
/// on one secret, and nobody ever reads a half-written one.
///
/// A rotation (``rotate(path:at:keepFor:)``) moves the current secret, with the time it was
/// retired, into `link-secret.previous` and puts a new one in its place; links signed with a
/// retired secret keep working for `links.previous_key_days`.
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
        let secret = random()
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

    /// A new secret from the system's random source.
    static func random() -> Data {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<length).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
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

    // MARK: Retired secrets

    public static func retiredPath(_ path: String) -> String { path + ".previous" }

    /// The secrets a rotation retired, newest first; none when there is no file.
    public static func retired(path: String) throws -> [(secret: Data, retiredAt: Date)] {
        let file = retiredPath(path)
        guard let data = FileManager.default.contents(atPath: file) else {
            if access(file, F_OK) == 0 {
                throw NewsletterError.cantCreate("cannot read the retired link secrets \(file) as user \(UnixUser.current); run as the service's user")
            }
            return []
        }
        var found: [(Data, Date)] = []
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: " ")
            guard fields.count == 2, let seconds = Int64(fields[0]), let secret = Data(base64Encoded: String(fields[1])), secret.count == length
            else {
                throw NewsletterError.badData(
                    "the retired link secrets \(file) are damaged; delete the file (links signed before the last rotation stop working)")
            }
            found.append((secret, Date(timeIntervalSince1970: TimeInterval(seconds))))
        }
        return found
    }

    /// What a rotation did.
    public struct Rotation: Sendable, Equatable {
        /// Retired secrets that still verify, the one just retired included.
        public var stillValid: Int
        /// Retired secrets past `keepFor`, deleted.
        public var dropped: Int
    }

    /// Makes a new current secret and retires the old one at `now`; retired secrets older
    /// than `keepFor` are deleted. Each file is written whole, synced and renamed into place,
    /// the retired list first: a crash between the two leaves the old secret both current
    /// and retired, which verifies the same links.
    public static func rotate(path: String, at now: Date, keepFor: TimeInterval) throws -> Rotation {
        let lock = open(path + ".lock", O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard lock >= 0 else {
            throw NewsletterError.cantCreate("cannot lock the link secret \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(lock) }
        guard flock(lock, LOCK_EX) == 0 else {
            throw NewsletterError.ioError("cannot lock the link secret \(path): \(String(cString: strerror(errno)))")
        }
        let current = try load(path: path)
        let earlier = try retired(path: path)
        let kept = earlier.filter { $0.retiredAt.addingTimeInterval(keepFor) > now }
        let list = [(secret: current, retiredAt: now)] + kept
        var text = "# link secrets retired by 'newsletterctl links rotate-secret': <unix time retired> <base64 secret>\n"
        for entry in list { text += "\(Int64(entry.retiredAt.timeIntervalSince1970.rounded(.down))) \(entry.secret.base64EncodedString())\n" }
        try replace(retiredPath(path), with: Data(text.utf8), what: "the retired link secrets")
        var generator = SystemRandomNumberGenerator()
        try replace(path, with: Data((0..<length).map { _ in UInt8.random(in: .min ... .max, using: &generator) }), what: "the link secret")
        return Rotation(stillValid: list.count, dropped: earlier.count - kept.count)
    }

    /// Writes `data` under a temporary name with mode 0600, syncs it, renames it over `path`
    /// and syncs the folder, so `path` holds the old bytes or the new, whole.
    private static func replace(_ path: String, with data: Data, what: String) throws {
        let temporary = "\(path).\(getpid()).\(UInt32.random(in: .min ... .max)).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw NewsletterError.cantCreate("cannot write \(what) \(path): \(String(cString: strerror(errno)))")
        }
        let written = data.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == data.count, synced, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw NewsletterError.ioError("cannot write \(what) \(path): \(reason)")
        }
        let folder = open(URL(fileURLWithPath: path).deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folder >= 0 {
            fsync(folder)
            close(folder)
        }
    }
}
