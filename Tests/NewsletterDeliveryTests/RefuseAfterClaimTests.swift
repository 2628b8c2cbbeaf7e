import Foundation
import NewsletterCore
import NewsletterDelivery
import NewsletterTestSupport
import Synchronization
import Testing

/// An unsubscribe or an erase after a sender claimed a message, before it went on the
/// wire, must stop it.
@Suite("Claimed messages are checked against the list just before they are sent")
struct RefuseAfterClaimTests {
    /// Runs `hook` once, as the first message starts: after the claim, before the later
    /// messages of the batch are sent (one connection sends them one at a time).
    final class HookedSession: MailSession, @unchecked Sendable {
        let inner: any MailSession
        let hook: Mutex<(@Sendable () -> Void)?>
        init(inner: any MailSession, hook: @escaping @Sendable () -> Void) {
            self.inner = inner
            self.hook = Mutex(hook)
        }
        func begin(_ message: OutgoingMessage, slot: Int) {
            hook.withLock { hook in
                hook?()
                hook = nil
            }
            inner.begin(message, slot: slot)
        }
        func poll(timeout: TimeInterval) -> [(slot: Int, result: SendResult)] { inner.poll(timeout: timeout) }
        func wakeup() { inner.wakeup() }
        func close() { inner.close() }
    }

    struct HookedTransport: MailTransport {
        let smtp: SMTPTransport
        let hook: @Sendable () -> Void
        var destination: String { smtp.destination }
        func connect() throws -> any MailConnection { try smtp.connect() }
        func openSession(slots: Int) throws -> any MailSession { HookedSession(inner: try smtp.openSession(slots: slots), hook: hook) }
    }

    @Test("unsubscribed, erased and unconfirmed after the claim: not sent, cancelled; a pending subscriber's confirmation goes")
    func refusedAfterClaim() async throws {
        let fixture = try DeliveryFixture()
        let dir = TemporaryDirectory("refuse")
        let server = try await ScriptedSMTPServer(in: dir)
        let first = try fixture.subscriber("first@example.org")
        let leaver = try fixture.subscriber("leaver@example.org")
        let eraser = try fixture.subscriber("eraser@example.org")
        let stays = try fixture.subscriber("stays@example.org")
        let pending = try fixture.subscriber("pending@example.org")
        try fixture.execute("UPDATE subscriber SET status = 'pending' WHERE id = ?", [pending])
        let firstMessage = try fixture.enqueue(to: "first@example.org", subscriberID: first)
        let leaverMessage = try fixture.enqueue(to: "leaver@example.org", subscriberID: leaver)
        let eraserMessage = try fixture.enqueue(to: "eraser@example.org", subscriberID: eraser)
        let staysMessage = try fixture.enqueue(to: "stays@example.org", subscriberID: stays)
        let confirm = try fixture.enqueue(to: "pending@example.org", subscriberID: pending, kind: .confirm)
        let pendingDigest = try fixture.enqueue(to: "pending@example.org", subscriberID: pending, kind: .digest)

        let store = fixture.store
        let clock = fixture.clock
        let claimedBeforeHook = Mutex<[DeliveryState]>([])
        let transport = HookedTransport(smtp: try fixture.transport(fixture.smtp(port: server.port))) {
            // By now every message is claimed: what the old runner would have sent.
            let states = (try? store.read { tx in try [leaverMessage, eraserMessage].map { try tx.outboxMessage(id: $0)?.state } }) ?? []
            claimedBeforeHook.withLock { $0 = states.compactMap { $0 } }
            let directory = SubscriberDirectory(store: store, actor: "cli:test", now: clock)
            _ = try? directory.remove(EmailAddress("leaver@example.org"))
            _ = try? directory.erase(EmailAddress("eraser@example.org"))
        }
        let runner = fixture.runner(transport, connections: 1)
        let report = try await offPool { try runner.drain() }

        #expect(claimedBeforeHook.withLock { $0 } == [.sending, .sending])
        let sentTo = server.messages.compactMap { ($0["to"] as? [String])?.first }
        #expect(Set(sentTo) == ["first@example.org", "stays@example.org", "pending@example.org"], "\(sentTo)")
        #expect(sentTo.filter { $0 == "pending@example.org" }.count == 1)
        #expect(report.sent == 3)
        #expect(report.cancelled == 3)
        #expect(try fixture.state(firstMessage) == .sent)
        #expect(try fixture.state(staysMessage) == .sent)
        #expect(try fixture.state(confirm) == .sent)
        #expect(try fixture.state(leaverMessage) == .cancelled)
        #expect(try fixture.message(leaverMessage).lastText == "not sent: the subscriber unsubscribed")
        #expect(try fixture.state(pendingDigest) == .cancelled)
        #expect(try store.read { tx in try tx.outboxMessage(id: eraserMessage) } == nil)
    }
}
