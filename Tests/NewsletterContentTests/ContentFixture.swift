import Foundation
import Logging
import NewsletterCore
import NewsletterStore
import NewsletterStoreTestSupport
import NewsletterTestSupport

@testable import NewsletterContent

/// A content folder and a store in a temporary folder, a clock moved by hand, and a scanner
/// over them.
final class ContentFixture: @unchecked Sendable {
    let dir = TemporaryDirectory("content")
    let store: Store
    private let lock = NSLock()
    private var time: Date
    var settings: ContentSettings

    static let base = "https://carers.example.org"

    /// 1 July 2024, 10:00 UTC.
    static let start = Date(timeIntervalSince1970: 1_719_828_000)

    init(settings: ContentSettings = ContentSettings(), now: Date = ContentFixture.start) throws {
        store = try TestDatabase.open(path: dir.path("db/newsletter.db"), busyTimeout: 5)
        self.settings = settings
        time = now
        try FileManager.default.createDirectory(atPath: dir.path("site"), withIntermediateDirectories: true)
    }

    var now: Date {
        lock.lock()
        defer { lock.unlock() }
        return time
    }

    func advance(days: Double = 0, seconds: TimeInterval = 0) {
        lock.lock()
        time += days * 86400 + seconds
        lock.unlock()
    }

    var root: String { dir.path("site") }

    /// Tests assert on reports, not on log lines.
    static let quiet = Logger(label: "content", factory: { _ in SwiftLogNoOpLogHandler() })

    func site() throws -> ContentSite {
        try ContentSite(root: root, baseURL: Self.base + "/", content: settings)
    }

    func scanner() throws -> ContentScanner {
        try ContentScanner(site: site(), store: store, logger: Self.quiet, now: { [self] in now })
    }

    @discardableResult
    func scan(_ scope: ScanScope = .full, dryRun: Bool = false, announceExisting: Bool = false) throws -> ScanReport {
        try scanner().scan(scope, options: ScanOptions(dryRun: dryRun, announceExisting: announceExisting))
    }

    /// Writes a file under the site folder, creating folders.
    @discardableResult
    func write(_ path: String, _ text: String) throws -> String {
        try write(path, Data(text.utf8))
    }

    @discardableResult
    func write(_ path: String, _ data: Data) throws -> String {
        let file = try dir.write("site/" + path, data)
        return file
    }

    func remove(_ path: String) throws {
        try FileManager.default.removeItem(atPath: dir.path("site/" + path))
    }

    func move(_ from: String, _ to: String) throws {
        let target = dir.path("site/" + to)
        try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: dir.path("site/" + from), toPath: target)
    }

    /// rename(2), replacing the target as editors' atomic saves do.
    func rename(_ from: String, _ to: String) throws {
        guard Foundation.rename(dir.path("site/" + from), dir.path("site/" + to)) == 0 else {
            throw CocoaError(.fileWriteUnknown)
        }
    }

    func page(_ path: String) throws -> ContentPage? {
        try store.read { tx in try tx.contentPage(path: path) }
    }

    func events() throws -> [ContentEvent] {
        try store.read { tx in try tx.events(detectedAfter: nil, upTo: Date.distantFuture) }
    }
}
