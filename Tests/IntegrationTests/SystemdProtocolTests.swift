import Foundation
import NewsletterTestSupport
import Testing

@Suite("newsletterd under systemd's notify protocol")
struct SystemdProtocolTests {
    /// Datagrams from the daemon, in order, until one contains `field` or the time runs out.
    static func read(_ listener: NotifyListener, until field: String, timeout: TimeInterval = 120) async throws -> [String] {
        try await listener.messages(for: timeout, untilField: field)
    }

    /// systemd may stop or reload a service at any moment after it starts: before the
    /// service lifecycle owns the signals, their default action would end the process.
    @Test("SIGTERM while starting: exit 0, not killed; SIGHUP while starting: still comes up", arguments: [0, 2_000, 20_000, 80_000])
    func signalsWhileStarting(delayMicroseconds: Int) async throws {
        let fixture = try DaemonFixture()
        let stopped = try Binaries.start("newsletterd", ["--config", fixture.config])
        try await Task.sleep(nanoseconds: UInt64(delayMicroseconds) * 1000)
        stopped.signal(SIGTERM)
        let result = await stopped.wait()
        #expect(result.status == 0, "\(result)")

        let listener = try NotifyListener(path: fixture.dir.path("notify.sock"))
        let reloaded = try Binaries.start("newsletterd", ["--config", fixture.config], environment: ["NOTIFY_SOCKET": listener.path])
        try await Task.sleep(nanoseconds: UInt64(delayMicroseconds) * 1000)
        reloaded.signal(SIGHUP)
        let startup = try await Self.read(listener, until: "READY=1")
        #expect(startup.contains { $0.hasPrefix("READY=1") }, "\(startup)")
        reloaded.signal(SIGTERM)
        let second = await reloaded.wait()
        #expect(second.status == 0, "\(second)")
    }

    @Test("READY, STATUS and WATCHDOG; RELOADING then READY on SIGHUP, a bad config kept out; STOPPING on SIGTERM, exit 0")
    func lifecycle() async throws {
        let fixture = try DaemonFixture()
        let listener = try NotifyListener(path: fixture.dir.path("notify.sock"))
        let daemon = try Binaries.start(
            "newsletterd", ["--config", fixture.config],
            environment: ["NOTIFY_SOCKET": listener.path, "WATCHDOG_USEC": "400000"])

        let startup = try await Self.read(listener, until: "READY=1")
        #expect(startup.last?.hasPrefix("READY=1\nSTATUS=") == true, "\(startup)")
        #expect(startup.last?.contains("next daily digest") == true, "\(startup)")
        #expect(!startup.dropLast().contains { $0.contains("WATCHDOG=1") }, "a watchdog ping before READY: \(startup)")
        let pings = try await Self.read(listener, until: "WATCHDOG=1", timeout: 60)
        #expect(pings.last == "WATCHDOG=1", "\(pings)")

        daemon.signal(SIGHUP)
        let reload = try await Self.read(listener, until: "READY=1")
        let reloading = reload.firstIndex { $0.hasPrefix("RELOADING=1") }
        let ready = reload.lastIndex { $0.hasPrefix("READY=1") }
        #expect(reloading != nil && ready != nil && reloading! < ready!, "\(reload)")

        let good = try String(contentsOfFile: fixture.config, encoding: .utf8)
        try fixture.dir.write("newsletter.yaml", good + "schedule:\n  weekly: someday\n")
        daemon.signal(SIGHUP)
        let rejected = try await Self.read(listener, until: "READY=1")
        #expect(rejected.contains { $0.hasPrefix("RELOADING=1") }, "\(rejected)")
        #expect(daemon.process.isRunning)

        daemon.signal(SIGTERM)
        let stopping = try await Self.read(listener, until: "STOPPING=1")
        #expect(stopping.last?.hasPrefix("STOPPING=1") == true, "\(stopping)")
        let result = await daemon.wait()
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.contains("reload failed, still running with the previous configuration"), "\(result.stderr)")
        #expect(result.stderr.contains("schedule.weekly"), "\(result.stderr)")
    }
}
