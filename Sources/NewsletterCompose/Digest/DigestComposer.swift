import Foundation
import NewsletterCore

/// Composes and queues digests: the job `newsletterctl digest run` and the daemon's
/// schedule both call.
///
/// Subscribers are taken in chunks; each chunk's outbox rows, digest records and watermark
/// moves commit together, so a crash loses at most the chunk in progress and a second run
/// skips everyone already done for the period. Subscribers who get the same events share one
/// edition, rendered once.
public struct DigestComposer: Sendable {
    public struct Report: Sendable, Equatable {
        public var cadence: DigestCadence
        public var period: String
        /// Digests queued for sending.
        public var queued = 0
        /// Subscribers with nothing new, who got no email.
        public var empty = 0
        /// Editions rendered: distinct contents among the digests.
        public var editions = 0
    }

    let store: Store
    let environment: ComposeEnvironment
    let chunkSize: Int

    public init(store: Store, environment: ComposeEnvironment, chunkSize: Int = 5000) {
        self.store = store
        self.environment = environment
        self.chunkSize = chunkSize
    }

    /// Queues the digests due for `cadence` at `cutoff`.
    public func run(cadence: DigestCadence, at cutoff: Date) throws -> Report {
        let period = DigestPeriod.key(cadence, at: cutoff, in: environment.timeZone)
        var report = Report(cadence: cadence, period: period)
        guard cadence != .off else { return report }
        let events = try store.read { tx -> [ContentEvent] in
            guard let earliest = try tx.earliestDigestWatermark(cadence: cadence, period: period, upTo: cutoff) else { return [] }
            return try tx.events(detectedAfter: earliest, upTo: cutoff)
        }
        let eventsByID = Dictionary(uniqueKeysWithValues: events.map { ($0.id, $0) })
        let index = EventIndex(events)
        var editions: [DigestContent: (edition: Int64, selection: Int64)] = [:]
        let messages = MessageFactory(environment: environment, at: cutoff)
        var lastID: Int64 = 0
        while true {
            let done = try store.write { tx -> Bool in
                // Gathered for the chunk and written together: on PostgreSQL each statement is
                // a round trip, three a subscriber when written one by one.
                var queued: [NewOutboxMessage] = []
                var records: [(subscriberID: Int64, selectionID: Int64?, queuedIndex: Int?)] = []
                let count = try tx.forEachDueDigestRecipient(cadence: cadence, period: period, upTo: cutoff, afterID: lastID, limit: chunkSize) {
                    recipient in
                    lastID = recipient.subscriber.id
                    let chosen = index.select(for: recipient)
                    if chosen.isEmpty && !environment.sendEmpty {
                        records.append((recipient.subscriber.id, nil, nil))
                        report.empty += 1
                        return
                    }
                    let content = DigestContent(eventIDs: chosen, hasName: recipient.subscriber.greetingName != nil)
                    let shared: (edition: Int64, selection: Int64)
                    if let existing = editions[content] {
                        shared = existing
                    } else {
                        let draft = try edition(content.eventIDs.compactMap { eventsByID[$0] }, cadence: cadence, hasName: content.hasName, at: cutoff)
                        shared = (try tx.insertEdition(draft, at: cutoff), try tx.insertDigestSelection(eventIDs: content.eventIDs, at: cutoff))
                        editions[content] = shared
                        report.editions += 1
                    }
                    queued.append(
                        try messages.message(kind: .digest, edition: shared.edition, subscriber: recipient.subscriber, links: [.unsubscribe, .preferences]))
                    records.append((recipient.subscriber.id, shared.selection, queued.count - 1))
                    report.queued += 1
                }
                let outboxIDs = try tx.enqueue(queued, at: cutoff)
                try tx.recordDigests(
                    records.map { ($0.subscriberID, $0.selectionID, $0.queuedIndex.map { outboxIDs[$0] }) }, cadence: cadence, period: period,
                    cutoff: cutoff, at: cutoff)
                return count < chunkSize
            }
            if done { break }
        }
        return report
    }

    /// What `email` would get if their digest ran at `cutoff`, without writing anything;
    /// nil when they would get nothing.
    public func preview(_ email: EmailAddress, cadence: DigestCadence? = nil, at cutoff: Date) throws -> Preview? {
        guard let recipient = try store.read({ tx in try tx.digestRecipient(key: email.key) }) else {
            throw NewsletterError.noUser("no subscriber with address \(email); 'newsletterctl subscribers list' shows who is on the list")
        }
        let events = try store.read { tx in try tx.events(detectedAfter: recipient.watermark, upTo: cutoff) }
        let chosen = DigestContent.select(from: events, for: recipient)
        if chosen.isEmpty && !environment.sendEmpty { return nil }
        let cadence = cadence ?? (recipient.subscriber.digest == .off ? .weekly : recipient.subscriber.digest)
        let rendered = try Self.render(chosen, for: recipient.subscriber, cadence: cadence, at: cutoff, environment: environment)
        return Preview(
            recipient: recipient, events: chosen, message: rendered.message, subject: rendered.subject, text: rendered.text, html: rendered.html)
    }

    /// The digest `subscriber` is sent for `events` at `cutoff`, built as `run` builds it, without
    /// the store: what `preview` shows, and what the tests and fuzzers check.
    package static func render(
        _ events: [ContentEvent], for subscriber: Subscriber, cadence: DigestCadence, at cutoff: Date, environment: ComposeEnvironment
    ) throws -> RenderedMessage {
        let draft = try edition(events, cadence: cadence, hasName: subscriber.greetingName != nil, at: cutoff, environment: environment)
        return try environment.render(draft, kind: .digest, to: subscriber, at: cutoff, links: [.unsubscribe, .preferences])
    }

    public struct Preview: Sendable {
        public var recipient: DigestRecipient
        public var events: [ContentEvent]
        /// The whole message, as it would be sent.
        public var message: Data
        public var subject: String
        public var text: String
        public var html: String
    }

    func edition(_ events: [ContentEvent], cadence: DigestCadence, hasName: Bool, at date: Date) throws -> NewEdition {
        try Self.edition(events, cadence: cadence, hasName: hasName, at: date, environment: environment)
    }

    static func edition(
        _ events: [ContentEvent], cadence: DigestCadence, hasName: Bool, at date: Date, environment: ComposeEnvironment
    ) throws -> NewEdition {
        let text = DigestContext.make(events, cadence: cadence, hasName: hasName, environment: environment, plainText: true)
        let html = DigestContext.make(events, cadence: cadence, hasName: hasName, environment: environment, plainText: false)
        return NewEdition(
            kind: .digest, subject: environment.templates.subject(.digest, text), headers: try environment.fixedHeaders(listMail: true, date: date),
            text: environment.templates.text(.digest, text), html: environment.templates.html(.digest, html))
    }
}
