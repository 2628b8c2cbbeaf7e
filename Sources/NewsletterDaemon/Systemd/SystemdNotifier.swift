import Foundation

/// Speaks systemd's notify protocol without libsystemd: one datagram per message on the
/// AF_UNIX socket named by `$NOTIFY_SOCKET` (a leading `@` means the abstract namespace).
/// Outside systemd there is no socket, and every call does nothing.
public final class SystemdNotifier: Sendable {
    private let descriptor: Int32
    private let address: [UInt8]

    /// The notifier for this process, or nil when it does not run under `Type=notify`.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> SystemdNotifier? {
        guard let path = environment["NOTIFY_SOCKET"], !path.isEmpty, path.utf8.count < 108 else { return nil }
        return SystemdNotifier(path: path)
    }

    init?(path: String) {
        var bytes = Array(path.utf8)
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }
        guard bytes.first == UInt8(ascii: "/") || bytes.first == 0 else { return nil }
        #if canImport(Glibc)
        let type = Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        #else
        let type = SOCK_DGRAM
        #endif
        let descriptor = socket(AF_UNIX, type, 0)
        guard descriptor >= 0 else { return nil }
        self.descriptor = descriptor
        address = bytes
    }

    deinit {
        close(descriptor)
    }

    /// Sends `fields` (`READY=1`, `STATUS=...`) as one datagram. Line breaks inside a value
    /// would start a new field, so they are flattened.
    @discardableResult
    public func notify(_ fields: [String]) -> Bool {
        let message = fields.map { $0.replacingOccurrences(of: "\n", with: " ") }.joined(separator: "\n")
        var storage = sockaddr_un()
        storage.sun_family = sa_family_t(AF_UNIX)
        let length = withUnsafeMutableBytes(of: &storage.sun_path) { raw -> Int in
            raw.copyBytes(from: address)
            return MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + address.count
        }
        // Never block on the socket: a manager that stops reading it (systemd does not, but a
        // test harness or a wedged supervisor can) must not stall a stop or the watchdog
        // thread. A full queue is retried for up to a second, then the message is dropped.
        for attempt in 0..<100 {
            let sent = message.utf8CString.withUnsafeBufferPointer { buffer in
                withUnsafePointer(to: &storage) { pointer in
                    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                        sendto(descriptor, buffer.baseAddress, buffer.count - 1, Int32(MSG_NOSIGNAL | MSG_DONTWAIT), socketAddress, socklen_t(length))
                    }
                }
            }
            if sent >= 0 { return true }
            guard errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR, attempt < 99 else { return false }
            usleep(10_000)
        }
        return false
    }

    /// How often to send `WATCHDOG=1`: half of `$WATCHDOG_USEC`, when the watchdog is on and
    /// meant for this process (`$WATCHDOG_PID` unset or ours).
    public static func watchdogInterval(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> TimeInterval? {
        guard let text = environment["WATCHDOG_USEC"], let micros = UInt64(text), micros > 0 else { return nil }
        if let pid = environment["WATCHDOG_PID"], !pid.isEmpty, Int32(pid) != getpid() { return nil }
        return Double(micros) / 2_000_000
    }
}
