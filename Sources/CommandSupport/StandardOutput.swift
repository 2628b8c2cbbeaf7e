import Foundation

/// Buffered stdout: listing 100,000 subscribers is one write per 64 KB, not per line.
public final class StandardOutput: @unchecked Sendable {
    public static let shared = StandardOutput()

    private var buffer: [UInt8] = []
    private let lock = NSLock()

    public func write(_ text: String) {
        lock.lock()
        buffer.append(contentsOf: text.utf8)
        let full = buffer.count >= 64 * 1024
        lock.unlock()
        if full { flush() }
    }

    public func line(_ text: String = "") {
        write(text + "\n")
    }

    public func flush() {
        lock.lock()
        defer { lock.unlock() }
        var offset = 0
        while offset < buffer.count {
            let written = buffer[offset...].withUnsafeBytes { Foundation.write(1, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                // The reader went away (`| head`): stop quietly, as other Unix tools do.
                exit(0)
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// Progress on stderr, shown only when a person is watching a terminal.
public struct Progress: Sendable {
    public let enabled: Bool

    public init(minimumWork: Int, work: Int) {
        enabled = isatty(2) == 1 && work >= minimumWork
    }

    public func update(_ label: String, _ done: Int, of total: Int) {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\(label): \(done.formatted()) of \(total.formatted())\u{1B}[K".utf8))
    }

    public func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
