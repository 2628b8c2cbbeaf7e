import Foundation
import Testing

@testable import NewsletterCore

@Suite("Content events in the store")
struct ContentEventStoreTests {
    let fixture: StoreFixture

    init() throws {
        fixture = try StoreFixture()
    }

    func event(_ path: String, marker: String, kind: ContentEventKind = .pageUpdated) -> NewContentEvent {
        NewContentEvent(
            kind: kind, path: path, title: "Title of \(path)", summary: "About \(path)", url: "https://carers.example.org/\(path)",
            topics: ["advocacy"], marker: marker)
    }

    @Test("the same change is recorded once, however often it is found")
    func once() throws {
        let first = try fixture.store.write { tx in try tx.recordEvent(event("advocacy.md", marker: "2022-05-05"), detectedAt: fixture.now) }
        let again = try fixture.store.write { tx in try tx.recordEvent(event("advocacy.md", marker: "2022-05-05"), detectedAt: fixture.now + 60) }
        let later = try fixture.store.write { tx in try tx.recordEvent(event("advocacy.md", marker: "2022-06-01"), detectedAt: fixture.now + 60) }
        #expect(first?.title == "Title of advocacy.md")
        #expect(again == nil)
        #expect(later != nil)
        #expect(try fixture.count("content_event") == 2)
    }

    @Test("events are selected by detection time: after the start, up to and including the end")
    func window() throws {
        let t0 = fixture.now
        try fixture.store.write { tx in
            try tx.recordEvent(event("a.md", marker: "2024-01-01"), detectedAt: t0)
            try tx.recordEvent(event("b.md", marker: "2024-01-02"), detectedAt: t0 + 10)
            try tx.recordEvent(event("blog/c.md", marker: "2024-01-03", kind: .postPublished), detectedAt: t0 + 20)
        }
        let paths = { (start: Date?, end: Date) in try fixture.store.read { tx in try tx.events(detectedAfter: start, upTo: end).map(\.path) } }
        #expect(try paths(nil, t0 + 20) == ["a.md", "b.md", "blog/c.md"])
        #expect(try paths(t0, t0 + 10) == ["b.md"])
        #expect(try paths(t0 + 20, t0 + 100) == [])
        let stored = try fixture.store.read { tx in try tx.events(detectedAfter: nil, upTo: t0 + 20) }
        #expect(stored.last?.kind == .postPublished)
        #expect(stored.last?.topics == ["advocacy"])
        #expect(try fixture.store.read { tx in try tx.recentEvents(limit: 1).map(\.path) } == ["blog/c.md"])
    }
}

@Suite("Queueing messages")
struct OutboxStoreTests {
    let fixture: StoreFixture

    init() throws {
        fixture = try StoreFixture()
    }

    @Test("edition messages and complete messages read back as queued")
    func enqueue() throws {
        let ann = try fixture.directory().add(NewSubscriber(email: EmailAddress("ann@example.org")), wording: "w")
        let (editionID, first, second) = try fixture.store.write { tx in
            let edition = try tx.insertEdition(NewEdition(kind: .digest, subject: "News", headers: "List-Id: x\r\n", text: "Hello", html: nil), at: fixture.now)
            let first = try tx.enqueue(
                NewOutboxMessage(
                    kind: .digest, subscriberID: ann.id, envelopeFrom: EmailAddress("news@example.org"), envelopeTo: EmailAddress(ann.email),
                    messageID: "1@example.org", content: .edition(id: edition, merge: ["name": "Ann", "to": "ann@example.org"]),
                    notBefore: fixture.now),
                at: fixture.now)
            let second = try tx.enqueue(
                NewOutboxMessage(
                    kind: .test, subscriberID: nil, envelopeFrom: EmailAddress("news@example.org"), envelopeTo: EmailAddress("admin@example.org"),
                    messageID: "2@example.org", content: .complete(Data("Subject: t\r\n\r\nhi\r\n".utf8)), notBefore: fixture.now),
                at: fixture.now)
            return (edition, first, second)
        }
        let a = try #require(try fixture.store.read { tx in try tx.outboxMessage(id: first) })
        #expect(a.state == .queued)
        #expect(a.content == .edition(id: editionID, merge: ["name": "Ann", "to": "ann@example.org"]))
        #expect(a.envelopeTo == "ann@example.org")
        let b = try #require(try fixture.store.read { tx in try tx.outboxMessage(id: second) })
        #expect(try CompleteMessageRenderer().render(b) == Data("Subject: t\r\n\r\nhi\r\n".utf8))
        #expect(throws: NewsletterError.self) { try CompleteMessageRenderer().render(a) }
        #expect(try fixture.store.read { tx in try tx.edition(id: editionID) }?.headers == "List-Id: x\r\n")
    }

    @Test("a batch of 700 queues in order over several statements, bodies and editions alike, each with its own id")
    func enqueueBatch() throws {
        let ann = try fixture.directory().add(NewSubscriber(email: EmailAddress("ann@example.org")), wording: "w")
        let (editionID, ids) = try fixture.store.write { tx in
            let edition = try tx.insertEdition(NewEdition(kind: .digest, subject: "News", headers: "", text: "Hello", html: nil), at: fixture.now)
            let messages = try (0..<700).map { n -> NewOutboxMessage in
                let even = n % 2 == 0
                let content: OutboxContent = even ? .edition(id: edition, merge: ["n": "\(n)"]) : .complete(Data("Subject: \(n)\r\n\r\nhi\r\n".utf8))
                return NewOutboxMessage(
                    kind: even ? .digest : .test, subscriberID: even ? ann.id : nil, envelopeFrom: try EmailAddress("news@example.org"),
                    envelopeTo: try EmailAddress("carer\(n)@example.org"), messageID: "batch-\(n)@example.org", content: content,
                    notBefore: fixture.now)
            }
            return (edition, try tx.enqueue(messages, at: fixture.now))
        }
        #expect(ids.count == 700 && Set(ids).count == 700)
        for n in [0, 1, 299, 300, 301, 698, 699] {
            let message = try #require(try fixture.store.read { tx in try tx.outboxMessage(id: ids[n]) })
            #expect(message.envelopeTo == "carer\(n)@example.org" && message.messageID == "batch-\(n)@example.org")
            #expect(message.state == .queued)
            if n % 2 == 0 {
                #expect(message.content == .edition(id: editionID, merge: ["n": "\(n)"]))
            } else {
                #expect(try CompleteMessageRenderer().render(message) == Data("Subject: \(n)\r\n\r\nhi\r\n".utf8))
            }
        }
        #expect(try fixture.count("outbox_body") == 350)
    }

    @Test("unsubscribing cancels unsent messages; erasing deletes them")
    func leaving() throws {
        let directory = fixture.directory()
        let ann = try directory.add(NewSubscriber(email: EmailAddress("ann@example.org")), wording: "w")
        let bob = try directory.add(NewSubscriber(email: EmailAddress("bob@example.org")), wording: "w")
        try fixture.store.write { tx in
            for (index, subscriber) in [ann, bob].enumerated() {
                try tx.enqueue(
                    NewOutboxMessage(
                        kind: .test, subscriberID: subscriber.id, envelopeFrom: EmailAddress("news@example.org"),
                        envelopeTo: EmailAddress(subscriber.email), messageID: "\(index)@example.org",
                        content: .complete(Data("x".utf8)), notBefore: fixture.now),
                    at: fixture.now)
            }
        }
        try directory.remove(EmailAddress("ann@example.org"))
        #expect(try fixture.store.read { tx in try tx.outboxMessage(id: 1) }?.state == .cancelled)
        #expect(try fixture.store.read { tx in try tx.outboxMessage(id: 2) }?.state == .queued)
        try directory.erase(EmailAddress("bob@example.org"))
        #expect(try fixture.store.read { tx in try tx.outboxMessage(id: 2) } == nil)
    }
}
