import Foundation
import NewsletterCore

/// Blog-post notifications for subscribers who take posts as they appear.
///
/// Posts detected within `blog.window` of the first unsent one go in one email: the batch
/// waits for the window to close, then goes to every active `immediate` subscriber whose
/// topics match, leaving out posts detected before they joined. A batch and all its
/// messages commit together, so a batch is never sent twice.
public struct BlogComposer: Sendable {
    public enum Outcome: Sendable, Equatable {
        /// No post is waiting.
        case nothingNew
        /// Posts are waiting for the window to close at this time.
        case waiting(until: Date)
        /// A batch went out.
        case queued(posts: Int, messages: Int)
    }

    let store: Store
    let environment: ComposeEnvironment

    public init(store: Store, environment: ComposeEnvironment) {
        self.store = store
        self.environment = environment
    }

    public func run(at now: Date) throws -> Outcome {
        try store.write { tx in
            let since = try tx.lastBlogBatchCutoff()
            let posts = try tx.events(detectedAfter: since, upTo: now).filter { $0.kind == .postPublished }
            guard let first = posts.first else { return .nothingNew }
            let windowCloses = first.detectedAt.addingTimeInterval(environment.blogWindow)
            if now < windowCloses { return .waiting(until: windowCloses) }

            try tx.recordBlogBatch(cutoff: now, eventIDs: posts.map(\.id), at: now)
            var editions: [DigestContent: Int64] = [:]
            let factory = MessageFactory(environment: environment, at: now)
            var messages = 0
            // Queued a thousand at a time: fewer statements (round trips on PostgreSQL),
            // without holding every subscriber's message in memory.
            var queued: [NewOutboxMessage] = []
            try tx.forEachImmediateBlogSubscriber { subscriber in
                let joined = subscriber.activeSince ?? subscriber.createdAt
                let chosen = posts.filter { $0.detectedAt > joined && DigestContent.matches($0, topics: subscriber.topics) }
                guard !chosen.isEmpty else { return }
                let content = DigestContent(eventIDs: chosen.map(\.id), hasName: subscriber.greetingName != nil)
                let edition: Int64
                if let existing = editions[content] {
                    edition = existing
                } else {
                    edition = try tx.insertEdition(try draft(chosen, hasName: content.hasName, at: now), at: now)
                    editions[content] = edition
                }
                queued.append(try factory.message(kind: .blog, edition: edition, subscriber: subscriber, links: [.unsubscribe, .preferences]))
                messages += 1
                if queued.count >= 1000 {
                    try tx.enqueue(queued, at: now)
                    queued = []
                }
            }
            try tx.enqueue(queued, at: now)
            return .queued(posts: posts.count, messages: messages)
        }
    }

    /// The notification `subscriber` is sent for `posts` at `date`, without the store (tests, fuzzing).
    package static func render(
        _ posts: [ContentEvent], for subscriber: Subscriber, at date: Date, environment: ComposeEnvironment
    ) throws -> RenderedMessage {
        let draft = try draft(posts, hasName: subscriber.greetingName != nil, at: date, environment: environment)
        return try environment.render(draft, kind: .blog, to: subscriber, at: date, links: [.unsubscribe, .preferences])
    }

    func draft(_ posts: [ContentEvent], hasName: Bool, at date: Date) throws -> NewEdition {
        try Self.draft(posts, hasName: hasName, at: date, environment: environment)
    }

    static func draft(_ posts: [ContentEvent], hasName: Bool, at date: Date, environment: ComposeEnvironment) throws -> NewEdition {
        let text = DigestContext.make(posts, cadence: nil, hasName: hasName, environment: environment, plainText: true)
        let html = DigestContext.make(posts, cadence: nil, hasName: hasName, environment: environment, plainText: false)
        return NewEdition(
            kind: .blog, subject: environment.templates.subject(.blog, text), headers: try environment.fixedHeaders(listMail: true, date: date),
            text: environment.templates.text(.blog, text), html: environment.templates.html(.blog, html))
    }
}
