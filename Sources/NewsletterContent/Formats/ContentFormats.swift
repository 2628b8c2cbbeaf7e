import Foundation
import NewsletterCore

/// The machine-readable forms `newsletterctl content` prints. Scripts rely on these keys:
/// add fields, never rename them.
public enum ContentFormats {
    /// One event.
    public struct EventJSON: Encodable, Sendable {
        public var id: Int64
        public var kind: String
        public var path: String
        public var title: String
        public var summary: String?
        public var url: String
        public var topics: [String]
        public var marker: String
        public var detectedAt: String

        public init(_ event: ContentEvent) {
            id = event.id
            kind = event.kind.rawValue
            path = event.path
            title = event.title
            summary = event.summary
            url = event.url
            topics = event.topics
            marker = event.marker
            detectedAt = DisplayDate.iso(event.detectedAt)
        }

        enum CodingKeys: String, CodingKey {
            case id, kind, path, title, summary, url, topics, marker
            case detectedAt = "detected_at"
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(kind, forKey: .kind)
            try container.encode(path, forKey: .path)
            try container.encode(title, forKey: .title)
            try container.encode(summary, forKey: .summary)
            try container.encode(url, forKey: .url)
            try container.encode(topics, forKey: .topics)
            try container.encode(marker, forKey: .marker)
            try container.encode(detectedAt, forKey: .detectedAt)
        }
    }

    /// One tracked file, as `content list` shows it.
    public struct PageJSON: Encodable, Sendable {
        public var path: String
        public var kind: String
        public var title: String
        public var summary: String?
        public var url: String
        public var topics: [String]
        public var lastUpdated: String?
        public var publishedOn: String?
        public var status: String
        public var problem: String?

        public init(_ page: ContentPage) {
            path = page.path
            kind = page.kind.rawValue
            title = page.title
            summary = page.summary
            url = page.url
            topics = page.topics
            lastUpdated = page.lastUpdated
            publishedOn = page.kind == .post ? page.publishedOn : nil
            status = page.status.rawValue
            problem = page.problem
        }

        enum CodingKeys: String, CodingKey {
            case path, kind, title, summary, url, topics, status, problem
            case lastUpdated = "last_updated"
            case publishedOn = "published_on"
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(path, forKey: .path)
            try container.encode(kind, forKey: .kind)
            try container.encode(title, forKey: .title)
            try container.encode(summary, forKey: .summary)
            try container.encode(url, forKey: .url)
            try container.encode(topics, forKey: .topics)
            try container.encode(lastUpdated, forKey: .lastUpdated)
            try container.encode(publishedOn, forKey: .publishedOn)
            try container.encode(status, forKey: .status)
            try container.encode(problem, forKey: .problem)
        }
    }

    public struct WarningJSON: Encodable, Sendable {
        public var path: String
        public var reason: String
    }

    /// What `content scan --format json` prints.
    public struct ScanJSON: Encodable, Sendable {
        public var dryRun: Bool
        public var baseline: Bool
        public var filesSeen: Int
        public var filesRead: Int
        public var unchanged: Int
        public var removed: [String]
        public var pages: Int
        public var posts: Int
        public var events: [EventJSON]
        public var warnings: [WarningJSON]
        public var notes: [WarningJSON]

        public init(_ report: ScanReport) {
            dryRun = report.dryRun
            baseline = report.baseline
            filesSeen = report.filesSeen
            filesRead = report.filesRead
            unchanged = report.unchanged
            removed = report.removed
            pages = report.pages
            posts = report.posts
            events = report.events.map(EventJSON.init)
            warnings = report.warnings.map { WarningJSON(path: $0.path, reason: $0.reason) }
            notes = report.notes.map { WarningJSON(path: $0.path, reason: $0.reason) }
        }

        enum CodingKeys: String, CodingKey {
            case baseline, unchanged, removed, pages, posts, events, warnings, notes
            case dryRun = "dry_run"
            case filesSeen = "files_seen"
            case filesRead = "files_read"
        }
    }

    /// A JSON encoder with the settings every command shares.
    public static func encoder(pretty: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// A JSON array with one element per line, as the other list commands print.
    public static func array<T: Encodable>(_ items: [T]) throws -> String {
        guard !items.isEmpty else { return "[]" }
        let encoder = encoder()
        return "[\n" + (try items.map { String(decoding: try encoder.encode($0), as: UTF8.self) }).joined(separator: ",\n") + "\n]"
    }
}
