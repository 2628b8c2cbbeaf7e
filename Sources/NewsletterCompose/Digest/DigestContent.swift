import Foundation
import NewsletterCore

/// What one subscriber's digest holds, chosen from the events of the run.
struct DigestContent: Hashable {
    let eventIDs: [Int64]
    let hasName: Bool

    /// Events after the subscriber's watermark, on their topics (none chosen means every
    /// topic), with blog posts only for those who take posts in the digest.
    static func select(from events: [ContentEvent], for recipient: DigestRecipient) -> [ContentEvent] {
        events.filter { includes($0, for: recipient) }
    }

    private static func includes(_ event: ContentEvent, for recipient: DigestRecipient) -> Bool {
        guard event.detectedAt > recipient.watermark else { return false }
        if event.kind == .postPublished && recipient.subscriber.blog != .digest { return false }
        return matches(event, topics: recipient.subscriber.topics)
    }

    static func matches(_ event: ContentEvent, topics: [String]) -> Bool {
        topics.isEmpty || event.topics.contains(where: topics.contains)
    }
}

/// The template context for a digest, or a blog notification, built from its events.
enum DigestContext {
    static func make(
        _ events: [ContentEvent], cadence: DigestCadence?, hasName: Bool, environment: ComposeEnvironment, plainText: Bool
    ) -> [String: Any] {
        var context = environment.baseContext(hasName: hasName)
        let pages = events.filter { $0.kind == .pageUpdated }
        let posts = events.filter { $0.kind == .postPublished }

        var groups: [String: [[String: Any]]] = [:]
        for page in pages {
            let topic = page.topics.first.map(TopicName.display) ?? "Other updates"
            groups[topic, default: []].append(item(page, environment: environment, plainText: plainText))
        }
        context["topics"] = groups.keys.sorted { ($0 == "Other updates" ? 1 : 0, $0) < ($1 == "Other updates" ? 1 : 0, $1) }.map { name in
            ["name": name, "pages": groups[name]!] as [String: Any]
        }
        context["posts"] = posts.map { item($0, environment: environment, plainText: plainText) }
        context["has_pages"] = !pages.isEmpty
        context["has_posts"] = !posts.isEmpty
        context["nothing_new"] = pages.isEmpty && posts.isEmpty
        context["page_count"] = pages.count
        context["post_count"] = posts.count
        context["several_posts"] = posts.count > 1
        context["summary"] = summary(pages: pages.count, posts: posts.count)
        if let cadence {
            context["cadence"] = cadence.rawValue
            context["period"] = DigestPeriod.word(cadence)
            context["period_phrase"] = DigestPeriod.phrase(cadence)
        }
        if let first = posts.first { context["first_post"] = item(first, environment: environment, plainText: plainText) }
        return context
    }

    private static func item(_ event: ContentEvent, environment: ComposeEnvironment, plainText: Bool) -> [String: Any] {
        var item: [String: Any] = ["title": RecipientSlot.inert(event.title), "url": RecipientSlot.inert(event.url)]
        if let date = ReadableDate.marker(event.marker, in: environment.timeZone) {
            item["date"] = date
        }
        if let summary = event.summary, !summary.isEmpty {
            let summary = RecipientSlot.inert(summary)
            item["summary"] = plainText ? TextWrap.wrap(summary) : summary
        }
        return item
    }

    /// "3 pages updated and 1 new blog post", for subjects and introductions.
    static func summary(pages: Int, posts: Int) -> String {
        var parts: [String] = []
        if pages > 0 { parts.append(pages == 1 ? "1 page updated" : "\(pages) pages updated") }
        if posts > 0 { parts.append(posts == 1 ? "1 new blog post" : "\(posts) new blog posts") }
        return parts.isEmpty ? "nothing new" : parts.joined(separator: " and ")
    }
}

/// The events of one digest run, laid out for choosing among them 100,000 times: ids, times
/// and kinds in plain arrays, and each event's topics as bits of a mask when the run has at
/// most 64 topics (otherwise topics are compared as strings).
struct EventIndex {
    private let ids: [Int64]
    private let times: [Double]
    private let isPost: [Bool]
    private let masks: [UInt64]?
    private let topics: [[String]]
    private let bit: [String: UInt64]

    init(_ events: [ContentEvent]) {
        ids = events.map(\.id)
        times = events.map { $0.detectedAt.timeIntervalSinceReferenceDate }
        isPost = events.map { $0.kind == .postPublished }
        topics = events.map(\.topics)
        let distinct = Array(Set(events.flatMap(\.topics))).sorted()
        if distinct.count <= 64 {
            let bits = Dictionary(uniqueKeysWithValues: distinct.enumerated().map { ($1, UInt64(1) << UInt64($0)) })
            bit = bits
            masks = events.map { event in event.topics.reduce(0) { $0 | (bits[$1] ?? 0) } }
        } else {
            bit = [:]
            masks = nil
        }
    }

    /// The ids ``DigestContent/select(from:for:)`` would choose.
    func select(for recipient: DigestRecipient) -> [Int64] {
        let subscriber = recipient.subscriber
        let watermark = recipient.watermark.timeIntervalSinceReferenceDate
        let wantsPosts = subscriber.blog == .digest
        let wanted = subscriber.topics.reduce(UInt64(0)) { $0 | (bit[$1] ?? 0) }
        var chosen: [Int64] = []
        for index in ids.indices where times[index] > watermark && (wantsPosts || !isPost[index]) {
            let matches: Bool
            if subscriber.topics.isEmpty {
                matches = true
            } else if let masks {
                matches = masks[index] & wanted != 0
            } else {
                matches = topics[index].contains(where: subscriber.topics.contains)
            }
            if matches { chosen.append(ids[index]) }
        }
        return chosen
    }
}
