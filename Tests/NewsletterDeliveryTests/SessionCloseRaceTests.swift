import Foundation
import NewsletterCore
import NewsletterDelivery
import NewsletterTestSupport
import Synchronization
import Testing

/// A closed session must never be woken: for SMTP, `wakeup` after `close` is
/// `curl_multi_wakeup` on a handle `curl_multi_cleanup` freed.
@Suite("A sender's session leaves the wake-up list before it is closed")
struct SessionCloseRaceTests {
    /// Counts wake-ups that reach a session after its `close`; its `close` wakes the runner,
    /// which is exactly when a session still on the list would be woken after it was freed.
    final class WatchedSession: MailSession, @unchecked Sendable {
        let inner: any MailSession
        let closed = Atomic<Bool>(false)
        let onClose: @Sendable () -> Void
        let owner: WatchedTransport

        init(inner: any MailSession, owner: WatchedTransport, onClose: @escaping @Sendable () -> Void) {
            self.inner = inner
            self.owner = owner
            self.onClose = onClose
        }

        func begin(_ message: OutgoingMessage, slot: Int) { inner.begin(message, slot: slot) }
        func poll(timeout: TimeInterval) -> [(slot: Int, result: SendResult)] { inner.poll(timeout: timeout) }

        func wakeup() {
            if closed.load(ordering: .sequentiallyConsistent) { owner.lateWakeups.add(1, ordering: .sequentiallyConsistent) }
            inner.wakeup()
        }

        func close() {
            closed.store(true, ordering: .sequentiallyConsistent)
            inner.close()
            onClose()
        }
    }

    /// Wraps the real SMTP transport so each session it opens is watched.
    final class WatchedTransport: MailTransport, @unchecked Sendable {
        let smtp: SMTPTransport
        let lateWakeups = Atomic<Int>(0)
        let opened = Atomic<Int>(0)
        let runner = Mutex<DeliveryRunner?>(nil)

        init(smtp: SMTPTransport) { self.smtp = smtp }

        var destination: String { smtp.destination }
        func connect() throws -> any MailConnection { try smtp.connect() }
        func openSession(slots: Int) throws -> any MailSession {
            opened.add(1, ordering: .sequentiallyConsistent)
            return WatchedSession(inner: try smtp.openSession(slots: slots), owner: self) { [self] in
                runner.withLock { $0 }?.wake()
            }
        }
    }

    @Test("sessions closing while the runner wakes every session: none is woken after its close")
    func noWakeupAfterClose() async throws {
        let fixture = try DeliveryFixture()
        let dir = TemporaryDirectory("close-race")
        let server = try await ScriptedSMTPServer(in: dir)
        let transport = WatchedTransport(smtp: try fixture.transport(fixture.smtp(port: server.port, connections: 4)))
        let runner = fixture.runner(transport, connections: 4)
        transport.runner.withLock { $0 = runner }
        for round in 0..<5 {
            for index in 0..<8 { try fixture.enqueue(to: "r\(round)-\(index)@example.org") }
            let report = try await offPool { try runner.drain() }
            #expect(report.sent == 8)
        }
        #expect(transport.opened.load(ordering: .sequentiallyConsistent) == 20)
        #expect(transport.lateWakeups.load(ordering: .sequentiallyConsistent) == 0)
    }

    @Test("a closed SMTP session ignores wake-ups (no curl_multi_wakeup on a freed handle)")
    func closedSMTPSessionIgnoresWakeups() async throws {
        let fixture = try DeliveryFixture()
        let transport = try fixture.transport(fixture.smtp(port: 9, connections: 2))
        // Many sessions opening and closing while other threads wake them: without the
        // close/wake-up exclusion this is a use-after-free that crashes or corrupts the heap.
        try await offPool {
            for _ in 0..<200 {
                let session = try transport.openSession(slots: 2)
                let waker = Thread { for _ in 0..<50 { session.wakeup() } }
                waker.start()
                session.close()
                session.wakeup()
            }
        }
    }
}
