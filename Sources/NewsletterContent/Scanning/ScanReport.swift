import Foundation
import NewsletterCore

/// What to scan.
public enum ScanScope: Sendable, Equatable {
    /// The whole tree; files gone from it are recorded as removed.
    case full
    /// These paths (relative to the content folder): files, or folders and all inside them.
    /// A path that no longer exists is recorded as removed, with anything under it.
    case paths(Set<String>)
}

public struct ScanOptions: Sendable, Equatable {
    /// Work out the events and report them, recording nothing.
    public var dryRun: Bool
    /// Record an event for every page with a marker and every published post, as if each
    /// were new: the explicit way to announce a site that is already there.
    public var announceExisting: Bool

    public init(dryRun: Bool = false, announceExisting: Bool = false) {
        self.dryRun = dryRun
        self.announceExisting = announceExisting
    }
}

/// A file that could not be read, or could be read only in part. The scan goes on.
public struct ScanWarning: Sendable, Equatable, CustomStringConvertible {
    /// Relative to the content folder.
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}

/// What one scan found and did.
public struct ScanReport: Sendable {
    /// A report of no scan: what a run that did not scan (another daemon leads) shows.
    public init() {}

    /// The events this scan recorded (in a dry run: would have recorded; their ids are 0).
    public var events: [ContentEvent] = []
    /// This was the first scan: it recorded the baseline.
    public var baseline = false
    public var dryRun = false
    public var full = false
    /// A website's scan: "files" are the addresses its sitemaps, feeds and pages list.
    public var website = false
    /// Page files found in the scanned part of the tree.
    public var filesSeen = 0
    /// Files read because they were new or their size, modification time or inode changed.
    public var filesRead = 0
    /// Paths recorded as removed.
    public var removed: [String] = []
    public var warnings: [ScanWarning] = []
    /// Changes that made no event, for the info log: a marker moved back, text changed with
    /// the same date.
    public var notes: [ScanWarning] = []
    /// Tracked files (removed ones excluded) by kind, after the scan.
    public var pages = 0
    public var posts = 0
    /// When the earliest scheduled post is due, so a watcher can scan again then.
    public var nextPublication: Date?
    /// Real folders seen, relative to the content folder ("" is the root).
    public var directories: [String] = []

    public var unchanged: Int { filesSeen - filesRead }
}
