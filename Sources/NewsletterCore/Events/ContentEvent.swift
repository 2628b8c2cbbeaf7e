import Foundation

/// Something subscribers should hear about: a page whose "last updated" date moved forward,
/// or a newly published blog post. Content scanning records these; digests and blog
/// notifications are built from them.
///
/// An event is a snapshot: it keeps the page's title, summary, URL and topics as they were
/// when it was detected, so a digest shows what changed even if the page changes again.
public struct ContentEvent: Sendable, Equatable, Identifiable {
    public var id: Int64
    public var kind: ContentEventKind
    /// The file's path relative to `site.content_dir`.
    public var path: String
    public var title: String
    public var summary: String?
    public var url: String
    /// Topic slugs.
    public var topics: [String]
    /// The page's new last-updated date, or the post's publication date, in ISO 8601
    /// (`2022-05-05`, or `2024-03-12T09:30:00Z` when the source gave a time).
    public var marker: String
    public var detectedAt: Date

    /// An event as the store returns it, for tests and fuzzing that compose without a store.
    package init(
        id: Int64, kind: ContentEventKind, path: String, title: String, summary: String?, url: String, topics: [String], marker: String,
        detectedAt: Date
    ) {
        self.id = id
        self.kind = kind
        self.path = path
        self.title = title
        self.summary = summary
        self.url = url
        self.topics = topics
        self.marker = marker
        self.detectedAt = detectedAt
    }
}

public enum ContentEventKind: String, Sendable, CaseIterable, Codable {
    case pageUpdated = "page_updated"
    case postPublished = "post_published"
}

/// An event about to be recorded.
public struct NewContentEvent: Sendable, Equatable {
    public var kind: ContentEventKind
    public var path: String
    public var title: String
    public var summary: String?
    public var url: String
    public var topics: [String]
    public var marker: String

    public init(kind: ContentEventKind, path: String, title: String, summary: String?, url: String, topics: [String], marker: String) {
        self.kind = kind
        self.path = path
        self.title = title
        self.summary = summary
        self.url = url
        self.topics = topics
        self.marker = marker
    }
}
