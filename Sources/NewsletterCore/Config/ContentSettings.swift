import Foundation

/// `content:`: how the site's content folder is watched.
public struct ContentSettings: Sendable, Equatable {
    /// What counts as an update on a page that has no "last updated" marker.
    public enum Fallback: String, Sendable, CaseIterable {
        /// Nothing: such a page is listed but never announced.
        case none
        /// A change of the file's text is an update, dated by its modification time.
        case hash
    }

    public static let defaultRescanInterval: TimeInterval = 15 * 60
    public static let defaultDebounce: TimeInterval = 2
    public static let defaultMaxFileSize: Int64 = 5 << 20

    public var fallback: Fallback
    /// How often the daemon scans the whole tree, to catch anything inotify missed.
    public var rescanInterval: TimeInterval
    /// How long a file must stay quiet after a change before it is read.
    public var debounce: TimeInterval
    /// Files larger than this are skipped with a warning.
    public var maxFileSize: Int64

    public init(
        fallback: Fallback = .none, rescanInterval: TimeInterval = Self.defaultRescanInterval,
        debounce: TimeInterval = Self.defaultDebounce, maxFileSize: Int64 = Self.defaultMaxFileSize
    ) {
        self.fallback = fallback
        self.rescanInterval = rescanInterval
        self.debounce = debounce
        self.maxFileSize = maxFileSize
    }

    init(_ section: ConfigSection) throws {
        self.init()
        fallback = try section.choice("fallback") ?? .none
        rescanInterval = try section.duration("rescan_interval", in: 10...(7 * 86400)) ?? Self.defaultRescanInterval
        debounce = try section.duration("debounce", in: 0...600) ?? Self.defaultDebounce
        maxFileSize = try section.byteSize("max_file_size", in: 1024...(1 << 30)) ?? Self.defaultMaxFileSize
        try section.finish()
    }
}
