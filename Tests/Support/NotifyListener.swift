import Foundation

/// A datagram socket standing in for systemd's notify socket.
public final class NotifyListener: @unchecked Sendable {
    public let path: String
    private let drain: NotifyDrain

    public init(path: String) throws {
        self.path = path
        #if canImport(Glibc)
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
        let descriptor = socket(AF_UNIX, SOCK_DGRAM, 0)
        #endif
        var bytes = Array(path.utf8)
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 } else { unlink(path) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let length = withUnsafeMutableBytes(of: &address.sun_path) { raw -> Int in
            raw.copyBytes(from: bytes)
            return MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + bytes.count
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(length)) }
        }
        guard result == 0 else {
            close(descriptor)
            throw TestSetupError("cannot bind \(path): \(String(cString: strerror(errno)))")
        }
        drain = NotifyDrain(descriptor: descriptor)
    }

    deinit {
        // The drain thread owns the descriptor from here: it closes it when it sees the stop.
        drain.stop()
        if !path.hasPrefix("@") { unlink(path) }
    }

    /// Datagrams until one satisfies `done` (it is included) or `timeout` passes.
    public func messages(for timeout: TimeInterval, until done: (String) -> Bool = { _ in false }) async throws -> [String] {
        var seen: [String] = []
        let deadline = Date().addingTimeInterval(timeout)
        while deadline.timeIntervalSinceNow > 0 {
            guard let message = try await receive(timeout: deadline.timeIntervalSinceNow) else { break }
            seen.append(message)
            if done(message) { break }
        }
        return seen
    }

    /// Datagrams until one holds `field` on a line of its own, or `timeout` passes.
    public func messages(for timeout: TimeInterval, untilField field: String) async throws -> [String] {
        try await messages(for: timeout) { $0.split(separator: "\n").contains { $0 == field } }
    }

    /// The next datagram, or nil when none arrives within `timeout` seconds. The wait
    /// suspends the task; it never holds a thread of the cooperative pool.
    public func receive(timeout: TimeInterval) async throws -> String? {
        let deadline = Date() + timeout
        while true {
            if let message = drain.next() { return message }
            if let failure = drain.failure { throw TestSetupError(failure) }
            if Date() >= deadline { return nil }
            try? await Task.sleep(nanoseconds: 10_000_000)
        }
    }
}

/// Reads the socket for as long as the listener lives, as systemd does: a sender is never
/// held up or made to drop a message because the test was busy between two receives.
final class NotifyDrain: @unchecked Sendable {
    private let lock = NSLock()
    private var queue: [String] = []
    private var stopped = false
    private var failed: String?

    init(descriptor: Int32) {
        let thread = Thread { [self] in run(descriptor) }
        thread.start()
    }

    func next() -> String? {
        lock.lock()
        defer { lock.unlock() }
        return queue.isEmpty ? nil : queue.removeFirst()
    }

    /// Read under the lock: the drain thread writes it, the test's task reads it.
    var failure: String? {
        lock.lock()
        defer { lock.unlock() }
        return failed
    }

    func stop() {
        lock.lock()
        stopped = true
        lock.unlock()
    }

    private func run(_ descriptor: Int32) {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            lock.lock()
            let done = stopped
            lock.unlock()
            if done { break }
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 50) == 1 else { continue }
            let count = recv(descriptor, &buffer, buffer.count, 0)
            lock.lock()
            if count >= 0 {
                queue.append(String(decoding: buffer.prefix(count), as: UTF8.self))
            } else if errno != EINTR && errno != EAGAIN {
                failed = "recv failed: \(String(cString: strerror(errno)))"
            }
            lock.unlock()
        }
        close(descriptor)
    }
}
