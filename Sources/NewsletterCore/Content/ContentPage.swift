import Foundation

/// What content scanning remembers about one file of the site between scans: enough to tell
/// whether the file changed (size, modification time, inode) without reading it, and what it
/// said last time (marker, draft flag, text hash) so a change can be judged.
public struct ContentPage: Sendable, Equatable {
    /// The file's path relative to `site.content_dir`, with `/` separators.
    public var path: String
    public var kind: ContentPageKind
    public var status: ContentPageStatus
    public var title: String
    public var summary: String?
    public var url: String
    /// Topic slugs.
    public var topics: [String]
    /// The "last updated" marker as the page shows it now (ISO 8601), nil when it shows none.
    public var lastUpdated: String?
    /// The marker updates are measured from: the last one seen, kept when the page loses its
    /// marker or is removed, so a page that comes back is compared with what it said before.
    public var recordedMarker: String?
    /// A blog post's publication date (ISO 8601).
    public var publishedOn: String?
    /// Whether a post's publication has been recorded (or it was already published at the
    /// baseline): a post is announced at most once.
    public var announced: Bool
    /// A hash of the file's bytes, for `content.fallback: hash` and for recognising a moved file.
    public var contentHash: String?
    public var size: Int64
    /// Modification time in nanoseconds since 1970.
    public var modifiedNanos: Int64
    public var inode: Int64
    public var firstSeen: Date
    public var changedAt: Date
    public var removedAt: Date?
    /// Why the file could not be read on the last attempt, if it could not.
    public var problem: String?

    public init(
        path: String, kind: ContentPageKind, status: ContentPageStatus, title: String, summary: String? = nil, url: String,
        topics: [String] = [], lastUpdated: String? = nil, recordedMarker: String? = nil, publishedOn: String? = nil,
        announced: Bool = false, contentHash: String? = nil, size: Int64 = 0, modifiedNanos: Int64 = 0, inode: Int64 = 0,
        firstSeen: Date, changedAt: Date, removedAt: Date? = nil, problem: String? = nil
    ) {
        self.path = path
        self.kind = kind
        self.status = status
        self.title = title
        self.summary = summary
        self.url = url
        self.topics = topics
        self.lastUpdated = lastUpdated
        self.recordedMarker = recordedMarker
        self.publishedOn = publishedOn
        self.announced = announced
        self.contentHash = contentHash
        self.size = size
        self.modifiedNanos = modifiedNanos
        self.inode = inode
        self.firstSeen = firstSeen
        self.changedAt = changedAt
        self.removedAt = removedAt
        self.problem = problem
    }
}

public enum ContentPageKind: String, Sendable, CaseIterable, Codable {
    /// An information page.
    case page
    /// A blog post: a file inside `site.blog_dir`.
    case post
}

/// Where a tracked file stands; `content list` shows these words.
public enum ContentPageStatus: String, Sendable, CaseIterable, Codable {
    /// A page whose "last updated" marker was found.
    case current
    /// A page with no marker: listed, never announced (unless `content.fallback: hash`).
    case noMarker = "no_marker"
    /// A post that is published.
    case published
    /// A post marked `draft: true`.
    case draft
    /// A post dated in the future: published when its date arrives.
    case scheduled
    /// The file is gone; its last state is kept so a return is judged against it.
    case removed
    /// The file has never been read successfully (binary, too large, unreadable).
    case skipped
}

/// What the store remembers about the content tree as a whole.
public struct ContentScanState: Sendable, Equatable {
    /// The folder the baseline was taken of.
    public var root: String
    /// When the first scan recorded the baseline.
    public var baselineAt: Date
    /// When the last scan (full or partial) finished.
    public var lastScanAt: Date
    /// When the last full scan finished.
    public var lastFullScanAt: Date

    public init(root: String, baselineAt: Date, lastScanAt: Date, lastFullScanAt: Date) {
        self.root = root
        self.baselineAt = baselineAt
        self.lastScanAt = lastScanAt
        self.lastFullScanAt = lastFullScanAt
    }
}

/// The part of a page's state that says whether its file changed since it was last read.
public struct ContentFileStamp: Sendable, Equatable {
    public var size: Int64
    public var modifiedNanos: Int64
    public var inode: Int64

    public init(size: Int64, modifiedNanos: Int64, inode: Int64) {
        self.size = size
        self.modifiedNanos = modifiedNanos
        self.inode = inode
    }
}
