import Foundation
import NewsletterCore

/// Standard Maildir delivery: each message is written in `tmp/`, synced to disk, then
/// renamed into `new/`, so a mail reader never sees half a message. Names follow the
/// Maildir convention `time.MmicrosPpidQcounter.host`, unique per process and delivery.
public struct MaildirTransport: MailTransport {
    public let folder: String

    public var destination: String { "maildir \(folder)" }

    /// Creates `folder` and its `tmp`, `new` and `cur` folders when missing.
    public init(folder: String) throws {
        self.folder = folder
        for sub in ["", "/tmp", "/new", "/cur"] {
            let path = folder + sub
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
                guard isFolder.boolValue else { throw NewsletterError.cantCreate("\(path) is a file; mail.maildir must name a folder") }
                continue
            }
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw NewsletterError.cantCreate("cannot create the Maildir folder \(path) as user \(UnixUser.current); check mail.maildir")
            }
        }
    }

    public func connect() throws -> any MailConnection {
        MaildirConnection(folder: folder)
    }
}

final class MaildirConnection: MailConnection {
    private let folder: String
    private let host: String
    private static let counter = Counter()

    init(folder: String) {
        self.folder = folder
        var name = [UInt8](repeating: 0, count: 256)
        gethostname(&name, 255)
        // The Maildir convention escapes / and : in the host part.
        host = String(decoding: name.prefix { $0 != 0 }, as: UTF8.self).replacingOccurrences(of: "/", with: "\\057").replacingOccurrences(of: ":", with: "\\072")
    }

    func send(_ message: OutgoingMessage) -> SendResult {
        var now = timeval()
        gettimeofday(&now, nil)
        let unique = "\(now.tv_sec).M\(now.tv_usec)P\(getpid())Q\(Self.counter.next()).\(host)"
        let temporary = "\(folder)/tmp/\(unique)"
        let final = "\(folder)/new/\(unique)"
        // What a delivery agent adds: who it came from and who it was delivered to.
        let trace = Data("Return-Path: <\(message.envelopeFrom.value)>\r\nDelivered-To: \(message.envelopeTo.value)\r\n".utf8)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return failure("cannot create \(temporary)") }
        var ok = write(fd, trace) && write(fd, message.data)
        ok = ok && fsync(fd) == 0
        let problem = ok ? nil : String(cString: strerror(errno))
        Foundation.close(fd)
        guard ok else {
            unlink(temporary)
            return SendResult(.temporary, text: "cannot write \(temporary): \(problem ?? "unknown error")", connectionFailed: true)
        }
        guard rename(temporary, final) == 0 else {
            let failed = failure("cannot move the message into \(folder)/new")
            unlink(temporary)
            return failed
        }
        // The rename is durable once the folder itself is synced.
        let dir = open("\(folder)/new", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dir >= 0 {
            fsync(dir)
            Foundation.close(dir)
        }
        return SendResult(.sent, text: "delivered to \(final)")
    }

    func close() {}

    private func write(_ fd: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += written
            }
            return true
        }
    }

    private func failure(_ what: String) -> SendResult {
        SendResult(.temporary, text: "\(what): \(String(cString: strerror(errno)))", connectionFailed: true)
    }

    /// Deliveries made by this process, for unique names within one microsecond.
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0

        func next() -> Int {
            lock.lock()
            defer { lock.unlock() }
            value += 1
            return value
        }
    }
}
