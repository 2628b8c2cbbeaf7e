import Dispatch
import Foundation
import Logging
import Metrics
import NewsletterCore

/// Scans the content folder and records what changed: page state, and the events digests
/// are built from.
///
/// A scan has two halves. Outside any transaction it walks the tree, compares each file's
/// size, modification time and inode with the recorded ones, and reads only the files that
/// differ (in parallel). Then one write transaction re-reads the recorded state of those
/// files, applies ``PageRules``, records the events and saves the new state. Events and state
/// commit together, so a scan interrupted at any point leaves either everything or nothing,
/// and the next scan finds the same changes again; the event table's (kind, path, marker)
/// key and the re-read inside the transaction mean overlapping scans (the daemon and a
/// `newsletterctl content scan`) record each change once.
///
/// The clock is injected; nothing here sleeps or schedules.
public final class ContentScanner: Sendable {
    public let site: ContentSite
    let store: Store
    let logger: Logger
    let now: @Sendable () -> Date
    let identity: PageIdentity
    let parser: PageParser
    private let warned = WarningMemory()

    public init(site: ContentSite, store: Store, logger: Logger = Logger(label: "content"), now: @escaping @Sendable () -> Date = Date.init) {
        self.site = site
        self.store = store
        self.logger = logger
        self.now = now
        identity = PageIdentity(site: site)
        parser = PageParser(reader: site.dateReader)
    }

    /// Scans `scope`, records the changes (unless `options.dryRun`), and reports them.
    /// Throws when the content folder is gone or unreadable (config, 78), or when the
    /// database fails; a bad file never throws, it becomes a warning.
    public func scan(_ scope: ScanScope = .full, options: ScanOptions = ScanOptions()) throws -> ScanReport {
        let started = DispatchTime.now()
        defer {
            // A no-op unless the process set up a metrics backend (newsletterd does).
            if !options.dryRun {
                Metrics.Timer(label: MetricNames.scanDuration, dimensions: [("scope", scope == .full ? "full" : "paths")])
                    .recordInterval(since: started)
            }
        }
        _ = try ContentSite.checkFolder(site.root)
        let walker = TreeWalker(root: site.root)
        var report = ScanReport()
        report.dryRun = options.dryRun

        // What the store remembers, to decide what to read. Another process may change it
        // before the write transaction below; that transaction checks again.
        let (stamps, hasBaseline) = try store.read { tx in (try tx.contentFileStamps(), try tx.contentScanState() != nil) }
        var scope = scope
        if !hasBaseline { scope = .full }

        var found: [TreeWalker.Found] = []
        var covered: [String] = []
        switch scope {
        case .full:
            report.full = true
            let walked = walker.walk()
            found = walked.files
            report.warnings += walked.warnings
            report.directories = walked.directories
            covered = [""]
        case .paths(let paths):
            // A path inside another listed folder is covered by it.
            let sorted = paths.map(Self.normalise).sorted()
            for path in sorted where !covered.contains(where: { Self.isInside(path, $0) }) {
                covered.append(path)
                let walked = walker.walk(path: path)
                found += walked.files
                report.warnings += walked.warnings
                report.directories += walked.directories
            }
        }
        report.filesSeen = found.count

        let toRead = found.filter { file in
            guard case .some(.some(let stamp)) = stamps[file.path] else { return true }
            return stamp != file.stamp
        }
        let observed = read(toRead)
        report.filesRead = observed.count

        let foundPaths = Set(found.map(\.path))
        let gone = stamps.keys.filter { path in !foundPaths.contains(path) && covered.contains { Self.isInside(path, $0) } }.sorted()

        let recorder = ScanRecorder(root: site.root, fallback: site.content.fallback, identity: identity, now: now)
        let apply = { (tx: StoreTransaction) throws -> ScanReport in
            try recorder.record(observed: observed, gone: gone, options: options, report: report, tx: tx)
        }
        report = options.dryRun ? try store.rehearse(apply) : try store.write(apply)
        log(report)
        return report
    }

    // MARK: Reading files

    private func read(_ files: [TreeWalker.Found]) -> [ObservedPage] {
        guard !files.isEmpty else { return [] }
        let slots = Slots<ObservedPage>(count: files.count)
        let workers = min(ProcessInfo.processInfo.activeProcessorCount, max(1, files.count / 16))
        if workers <= 1 {
            for index in files.indices { slots.set(index, observe(files[index])) }
        } else {
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                var index = worker
                while index < files.count {
                    slots.set(index, observe(files[index]))
                    index += workers
                }
            }
        }
        return slots.values()
    }

    func observe(_ file: TreeWalker.Found) -> ObservedPage {
        let kind = identity.kind(of: file.path)
        var observed = ObservedPage(path: file.path, kind: kind, stamp: file.stamp, content: .problem(""))
        let bytes: [UInt8]
        switch FileSystem.read(file.absolute, inside: site.root, limit: site.content.maxFileSize) {
        case .bytes(let read, let stamp):
            bytes = read
            observed.stamp = stamp
        case .tooLarge(let size):
            observed.content = .problem(
                "larger than content.max_file_size (\(ConfigByteSize.format(size)) > \(ConfigByteSize.format(site.content.maxFileSize))); skipped")
            return observed
        case .notAFile:
            observed.content = .problem("not a regular file; skipped")
            return observed
        case .outside(let target):
            observed.content = .problem("symlink points outside the content folder (to \(target)); skipped")
            return observed
        case .failed(let error):
            observed.content = .problem("cannot be read: \(error.reason); skipped")
            return observed
        }
        if TextDecoding.looksBinary(bytes) {
            observed.content = .problem("binary file with a page's extension (it holds NUL bytes); skipped")
            return observed
        }
        let (text, encoding) = TextDecoding.utf8(bytes)
        guard let format = PageFormat(fileName: file.path) else {
            observed.content = .problem("not a page")
            return observed
        }
        var parsed = parser.parse(text, format: format)
        if encoding == .windows1252 { parsed.warnings.insert("not valid UTF-8; read as Windows-1252", at: 0) }
        let modified = MarkerDate(instant: Date(timeIntervalSince1970: TimeInterval(observed.stamp.modifiedNanos / 1_000_000_000)))
        let details = ObservedPage.Details(
            title: parsed.title ?? identity.fallbackTitle(of: file.path), summary: parsed.summary,
            url: identity.url(of: file.path, override: parsed.urlOverride), topics: identity.topics(of: file.path, declared: parsed.topics),
            lastUpdated: parsed.lastUpdated, postDate: parsed.date ?? PageIdentity.dateInName(file.path) ?? parsed.lastUpdated ?? modified,
            draft: parsed.draft, hash: ContentHash.of(bytes), modified: modified)
        observed.content = .page(details)
        observed.warnings = parsed.warnings
        return observed
    }

    // MARK: Logging

    private func log(_ report: ScanReport) {
        for warning in report.warnings {
            // The daemon rescans every few minutes: say each problem once, not every time.
            if warned.firstTime(warning) {
                logger.warning("content file skipped or read in part", metadata: ["path": "\(warning.path)", "reason": "\(warning.reason)"])
            } else {
                logger.debug("content file still has a problem", metadata: ["path": "\(warning.path)", "reason": "\(warning.reason)"])
            }
        }
        for note in report.notes {
            logger.info("content change without an event", metadata: ["path": "\(note.path)", "reason": "\(note.reason)"])
        }
        for event in report.events {
            logger.info(
                "content event\(report.dryRun ? " (dry run)" : "")",
                metadata: ["kind": "\(event.kind.rawValue)", "path": "\(event.path)", "marker": "\(event.marker)"])
        }
        if report.baseline {
            logger.info("content baseline recorded", metadata: ["pages": "\(report.pages)", "posts": "\(report.posts)"])
        }
    }

    // MARK: Paths

    static func normalise(_ path: String) -> String {
        path.split(separator: "/").filter { !$0.isEmpty && $0 != "." }.joined(separator: "/")
    }

    /// Whether `path` is `folder` or inside it ("" is the root, containing everything).
    static func isInside(_ path: String, _ folder: String) -> Bool {
        folder.isEmpty || path == folder || path.hasPrefix(folder + "/")
    }
}

/// Results written by parallel workers, each to its own slot.
private final class Slots<Value>: @unchecked Sendable {
    private var storage: [Value?]
    private let lock = NSLock()

    init(count: Int) {
        storage = Array(repeating: nil, count: count)
    }

    func set(_ index: Int, _ value: Value) {
        lock.lock()
        storage[index] = value
        lock.unlock()
    }

    func values() -> [Value] {
        lock.lock()
        defer { lock.unlock() }
        return storage.compactMap { $0 }
    }
}

/// Which warnings this process has already logged.
private final class WarningMemory: @unchecked Sendable {
    private var seen: Set<String> = []
    private let lock = NSLock()

    func firstTime(_ warning: ScanWarning) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return seen.insert(warning.path + "\u{0}" + warning.reason).inserted
    }
}
