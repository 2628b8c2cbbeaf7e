import Foundation
import NewsletterTestSupport
import Testing

@testable import NewsletterDaemon

@Suite("systemd notify protocol")
struct SystemdNotifierTests {
    @Test("datagrams reach a path socket and an abstract one")
    func delivers() async throws {
        let dir = TemporaryDirectory("notify")
        for name in [dir.path("notify.sock"), "@carers-newsletter-test-\(getpid())"] {
            let listener = try NotifyListener(path: name)
            let notifier = try #require(SystemdNotifier.fromEnvironment(["NOTIFY_SOCKET": name]))
            #expect(notifier.notify(["READY=1", "STATUS=next weekly digest\nMon 08:00"]))
            #expect(try await listener.receive(timeout: 5) == "READY=1\nSTATUS=next weekly digest Mon 08:00")
        }
    }

    @Test("no socket, no notifier; watchdog interval is half of WATCHDOG_USEC, for our pid only")
    func environment() {
        #expect(SystemdNotifier.fromEnvironment([:]) == nil)
        #expect(SystemdNotifier.fromEnvironment(["NOTIFY_SOCKET": "relative/path"]) == nil)
        #expect(SystemdNotifier.watchdogInterval(["WATCHDOG_USEC": "20000000"]) == 10)
        #expect(SystemdNotifier.watchdogInterval(["WATCHDOG_USEC": "20000000", "WATCHDOG_PID": "\(getpid())"]) == 10)
        #expect(SystemdNotifier.watchdogInterval(["WATCHDOG_USEC": "20000000", "WATCHDOG_PID": "1"]) == nil)
        #expect(SystemdNotifier.watchdogInterval(["WATCHDOG_USEC": "bogus"]) == nil)
    }

    @Test("a manager that stops reading: notify gives up instead of blocking, and the queued messages are intact")
    func fullSocketDoesNotBlock() async throws {
        let dir = TemporaryDirectory("notify-full")
        let path = dir.path("notify.sock")
        let silent = try Self.unreadSocket(path)
        defer { close(silent) }
        let notifier = try #require(SystemdNotifier.fromEnvironment(["NOTIFY_SOCKET": path]))
        // A datagram socket queues net.unix.max_dgram_qlen messages (10 by default); the
        // sends after that used to block until the reader came back, so a daemon stopping
        // while nobody read its notify socket never finished. Off the pool: a send that
        // waits out its retries holds its thread for a second.
        let results = await offPool {
            var results: [Bool] = []
            for number in 0..<200 {
                results.append(notifier.notify(["WATCHDOG=1", "STATUS=ping \(number)"]))
                if results.last == false { break }
            }
            return results
        }
        #expect(results.last == false, "every send succeeded: the queue never filled, so nothing was shown")
        #expect(results.count > 5 && results.dropLast().allSatisfy { $0 })
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = recv(silent, &buffer, buffer.count, Int32(MSG_DONTWAIT))
        #expect(String(decoding: buffer.prefix(max(count, 0)), as: UTF8.self) == "WATCHDOG=1\nSTATUS=ping 0")
    }

    /// A bound datagram socket that nobody reads (NotifyListener drains its own, as systemd does).
    static func unreadSocket(_ path: String) throws -> Int32 {
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let length = withUnsafeMutableBytes(of: &address.sun_path) { raw -> Int in
            raw.copyBytes(from: bytes)
            return MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + bytes.count
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(length)) }
        }
        guard bound == 0 else { throw TestSetupError("cannot bind \(path): \(String(cString: strerror(errno)))") }
        return descriptor
    }
}
