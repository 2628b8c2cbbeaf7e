import Foundation
import Testing

@testable import NewsletterCore
@testable import NewsletterDelivery
import NewsletterTestSupport

/// The shared last look before the wire: senders that ask while a look runs share the next.
@Suite("The last look before the wire")
struct LastLookTests {
    /// Records each look; the first waits until the test lets it go.
    final class Store: @unchecked Sendable {
        let lock = NSLock()
        var looks: [[Int64]] = []
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        var failing = false

        func look(_ messages: [OutboxMessage]) throws -> [Int64: SendRefusal] {
            lock.lock()
            looks.append(messages.map(\.id).sorted())
            let first = looks.count == 1
            let failing = self.failing
            lock.unlock()
            if first {
                entered.signal()
                release.wait()
            }
            if failing { throw NewsletterError.tempFailure("the database is away") }
            // Even ids have unsubscribed.
            return Dictionary(uniqueKeysWithValues: messages.filter { $0.id % 2 == 0 }.map {
                ($0.id, SendRefusal(reason: "not sent: the subscriber unsubscribed", rowRemains: true))
            })
        }
    }

    func message(_ id: Int64) -> OutboxMessage {
        let t0 = Date(timeIntervalSinceReferenceDate: 0)
        return OutboxMessage(
            id: id, kind: .digest, subscriberID: id, envelopeFrom: "news@example.org", envelopeTo: "carer\(id)@example.org",
            messageID: "m\(id)@example.org", content: .complete(Data()), state: .sending, attempts: 0, nextAttemptAt: t0, lastCode: nil,
            lastText: nil, createdAt: t0, updatedAt: t0, sentAt: nil)
    }

    /// Asks on a thread of its own (the look blocks); the answer arrives through the returned box.
    final class Asker: @unchecked Sendable {
        let done = DispatchSemaphore(value: 0)
        var answer: Result<[Int64: SendRefusal], any Error>?

        init(_ lastLook: LastLook, _ messages: [OutboxMessage]) {
            Thread { [self] in
                answer = Result { try lastLook.check(messages) }
                done.signal()
            }.start()
        }

        func wait() async -> Result<[Int64: SendRefusal], any Error>? {
            await offPool { [self] in
                done.wait()
                return answer
            }
        }
    }

    @Test("senders asking while a look runs share the next one, and each hears only about its own messages")
    func grouped() async throws {
        let store = Store()
        let lastLook = LastLook(look: store.look)
        let first = Asker(lastLook, [message(1)])
        await offPool { store.entered.wait() }
        let second = Asker(lastLook, [message(2), message(3)])
        let third = Asker(lastLook, [message(4)])
        #expect(await waitUntil { lastLook.waiting == 2 })
        store.release.signal()

        #expect(try await first.wait()?.get().isEmpty == true)
        #expect(try await second.wait()?.get().keys.sorted() == [2])
        #expect(try await third.wait()?.get().keys.sorted() == [4])
        #expect(store.looks == [[1], [2, 3, 4]], "one look for the two who asked while the first ran")
    }

    @Test("a look that fails fails for everyone who shared it; the next one is tried afresh")
    func failure() async throws {
        let store = Store()
        store.failing = true
        let lastLook = LastLook(look: store.look)
        let first = Asker(lastLook, [message(1)])
        await offPool { store.entered.wait() }
        let second = Asker(lastLook, [message(2)])
        #expect(await waitUntil { lastLook.waiting == 1 })
        store.release.signal()
        let firstAnswer = await first.wait()
        let secondAnswer = await second.wait()
        #expect(throws: NewsletterError.self) { try firstAnswer?.get() }
        #expect(throws: NewsletterError.self) { try secondAnswer?.get() }
        store.lock.withLock { store.failing = false }
        let later = try await offPool { try lastLook.check([self.message(6)]) }
        #expect(later.keys.sorted() == [6])
        #expect(store.looks == [[1], [2], [6]])
    }
}
