import Foundation
import NewsletterTestSupport
import Testing

/// systemd's watchdog restarts newsletterd when it stops pinging: it must stop when a part
/// of the daemon is stuck, not only when its timer stops.
@Suite("The watchdog pings only while the job queue, delivery and the web server answer")
struct WatchdogLivenessTests {
    /// Datagrams until `done` holds for one, or the time runs out; each wait suspends off the pool.
    static func read(_ listener: NotifyListener, timeout: TimeInterval, until done: @escaping @Sendable (String) -> Bool = { _ in false }) async throws
        -> [String]
    {
        try await listener.messages(for: timeout, until: done)
    }

    @Test("delivery wedged (test fault): pings stop and the status says which part is stuck; before it, pings flowed")
    func wedgedDeliveryStopsPings() async throws {
        let fixture = try DaemonFixture()
        let listener = try NotifyListener(path: fixture.dir.path("notify.sock"))
        let wedge = fixture.dir.path("wedge")
        let daemon = try Binaries.start(
            "newsletterd", ["--config", fixture.config],
            environment: ["NOTIFY_SOCKET": listener.path, "WATCHDOG_USEC": "400000", "NEWSLETTERD_TEST_WEDGE_FILE": wedge])
        let startup = try await Self.read(listener, timeout: 30) { $0.hasPrefix("READY=1") }
        #expect(startup.last?.hasPrefix("READY=1") == true, "\(startup)")

        // Every part answers: pings come, several in a row.
        var pings = 0
        let healthy = try await Self.read(listener, timeout: 20) { message in
            message == "WATCHDOG=1"
        }
        pings += healthy.filter { $0 == "WATCHDOG=1" }.count
        for _ in 0..<3 {
            let more = try await Self.read(listener, timeout: 5) { $0 == "WATCHDOG=1" }
            pings += more.filter { $0 == "WATCHDOG=1" }.count
        }
        #expect(pings >= 4)

        // Delivery's coordinator stops for good: the timer still runs, the pings must not.
        try Data("delivery".utf8).write(to: URL(fileURLWithPath: wedge))
        let stuck = try await Self.read(listener, timeout: 30) { $0.contains("STATUS=stuck: delivery not answering") }
        #expect(stuck.last?.contains("STATUS=stuck: delivery not answering") == true, "\(stuck)")
        // Ten watchdog intervals with no ping.
        let after = try await Self.read(listener, timeout: 2)
        #expect(!after.contains("WATCHDOG=1"), "\(after)")

        daemon.signal(SIGKILL)
        let result = await daemon.wait()
        #expect(result.stderr.contains("not pinging the systemd watchdog: delivery stopped answering"), "\(result.stderr)")
    }

    @Test("with the web server on, its /healthz answers the watchdog's probe: pings flow, nothing is reported stuck")
    func webServerAnswers() async throws {
        let fixture = try DaemonFixture()
        let config = try String(contentsOfFile: fixture.config, encoding: .utf8).replacingOccurrences(
            of: "  public_url: https://carers.example.org/newsletter\n",
            with: "  public_url: https://carers.example.org/newsletter\n  listen: 127.0.0.1:0\n")
        try fixture.dir.write("newsletter.yaml", config)
        let listener = try NotifyListener(path: fixture.dir.path("notify.sock"))
        // A 10 s watchdog, so each part has 5 s to answer: with 2 s, a loaded 2-core machine
        // (the reliability suites run beside this test) could keep delivery from answering
        // within its second, and the test would measure the machine, not the daemon.
        let daemon = try Binaries.start(
            "newsletterd", ["--config", fixture.config], environment: ["NOTIFY_SOCKET": listener.path, "WATCHDOG_USEC": "10000000"])
        let startup = try await Self.read(listener, timeout: 30) { $0.hasPrefix("READY=1") }
        #expect(startup.last?.contains("web http://127.0.0.1:") == true, "\(startup)")
        var pings = 0
        for _ in 0..<4 {
            let more = try await Self.read(listener, timeout: 30) { $0 == "WATCHDOG=1" }
            pings += more.filter { $0 == "WATCHDOG=1" }.count
            #expect(!more.contains { $0.contains("STATUS=stuck") }, "\(more)")
        }
        #expect(pings == 4)
        daemon.signal(SIGTERM)
        let result = await daemon.wait()
        #expect(result.status == 0, "\(result)")
        #expect(!result.stderr.contains("not pinging the systemd watchdog"), "\(result.stderr)")
    }
}
