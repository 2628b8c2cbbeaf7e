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
}
