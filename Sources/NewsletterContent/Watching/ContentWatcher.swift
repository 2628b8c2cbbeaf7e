import Dispatch
import Foundation
import Logging
import NewsletterCore

/// Watches the content folder with inotify and scans what changes.
///
/// Every folder of the tree is watched (folders that appear are added as they come); a
/// Dispatch read source drains the inotify descriptor until `EAGAIN`. A changed path is read
/// once it has been quiet for `content.debounce`, so a half-written file is never parsed; an
/// editor's save-by-rename arrives as a rename onto the page's name and is read like any
/// other change. A full rescan runs every `content.rescan_interval` to catch anything inotify
/// missed, and at once (with a warning) after an inotify queue overflow or when the system
/// runs out of inotify watches. A post dated in the future gets a scan when its date comes.
///
/// All work runs on one serial queue. `onEvents` is called on that queue with the events each
/// scan recorded (never an empty list); it should return quickly and must not call `stop()`.
public final class ContentWatcher: @unchecked Sendable {
    public let scanner: ContentScanner
    private let settings: ContentSettings
    private let logger: Logger
    private let onEvents: @Sendable ([ContentEvent]) -> Void
    private let onScan: @Sendable (ScanReport) -> Void
    private let queue = DispatchQueue(label: "newsletter.content-watcher")

    // Everything below is touched only on `queue`.
    private var inotify: Inotify?
    private var readSource: (any DispatchSourceRead)?
    private var debounceTimer: (any DispatchSourceTimer)?
    private var rescanTimer: (any DispatchSourceTimer)?
    private var publicationTimer: (any DispatchSourceTimer)?
    private var retryTimer: (any DispatchSourceTimer)?
    private var folders: [Int32: String] = [:]
    private var watches: [String: Int32] = [:]
    private var schedule: DebounceSchedule
    private var watchesExhausted = false
    private var running = false

    /// - Parameters:
    ///   - scanner: scans and records; its site's `content` settings give the debounce and
    ///     rescan interval unless `settings` is given.
    ///   - onEvents: told of each scan's new events, on the watcher's queue.
    ///   - onScan: told of every scan's report after the initial one (events or not), on the
    ///     watcher's queue: for status lines and tests.
    public init(
        scanner: ContentScanner, settings: ContentSettings? = nil, logger: Logger = Logger(label: "content"),
        onEvents: @escaping @Sendable ([ContentEvent]) -> Void = { _ in },
        onScan: @escaping @Sendable (ScanReport) -> Void = { _ in }
    ) {
        self.scanner = scanner
        self.settings = settings ?? scanner.site.content
        self.logger = logger
        self.onEvents = onEvents
        self.onScan = onScan
        schedule = DebounceSchedule(quiet: self.settings.debounce)
    }

    /// Sets up the watches, runs a full scan (the baseline, on a first run) and returns the
    /// report; from then on changes are scanned as they happen. Throws if the content folder
    /// is missing or unreadable (config, 78) or the first scan cannot be recorded. Without
    /// inotify (the per-user instance limit reached) it warns and relies on periodic rescans.
    @discardableResult
    public func start() throws -> ScanReport {
        try queue.sync {
            guard !running else { return try scanner.scan(.full) }
            _ = try ContentSite.checkFolder(scanner.site.root)
            do {
                let inotify = try Inotify()
                self.inotify = inotify
                let source = DispatchSource.makeReadSource(fileDescriptor: inotify.descriptor, queue: queue)
                source.setEventHandler { [weak self] in self?.drain() }
                // The descriptor closes when the source is done with it, not before.
                source.setCancelHandler { withExtendedLifetime(inotify) {} }
                source.resume()
                readSource = source
            } catch let error as FileSystem.Errno {
                logger.warning(
                    "cannot use inotify; changes will be found by the periodic rescan only",
                    metadata: ["reason": "\(error.reason)", "rescan_interval": "\(ConfigDuration.format(settings.rescanInterval))"])
            }
            running = true
            watchTree("")
            let report: ScanReport
            do {
                report = try scanner.scan(.full)
            } catch {
                tearDown()
                throw error
            }
            after(report)
            let timer = DispatchSource.makeTimerSource(queue: queue)
            timer.schedule(deadline: .now() + settings.rescanInterval, repeating: settings.rescanInterval, leeway: .seconds(1))
            timer.setEventHandler { [weak self] in self?.fullRescan(reason: nil) }
            timer.resume()
            rescanTimer = timer
            logger.info(
                "watching the content folder",
                metadata: ["root": "\(scanner.site.root)", "folders": "\(watches.count)", "debounce": "\(settings.debounce)s"])
            return report
        }
    }

    /// Stops watching. Changes waiting for their quiet period are dropped; the next start's
    /// full scan finds them. Safe to call more than once; must not be called from `onEvents`.
    public func stop() {
        queue.sync { tearDown() }
    }

    private func tearDown() {
        guard running else { return }
        running = false
        for timer in [debounceTimer, rescanTimer, publicationTimer, retryTimer] { timer?.cancel() }
        debounceTimer = nil
        rescanTimer = nil
        publicationTimer = nil
        retryTimer = nil
        readSource?.cancel()
        readSource = nil
        inotify = nil
        folders.removeAll()
        watches.removeAll()
        schedule.removeAll()
    }

    /// Asks for a full rescan soon (on SIGHUP, say). Returns at once.
    public func requestRescan() {
        queue.async { [weak self] in self?.fullRescan(reason: "requested") }
    }

    /// How many folders are watched (for status lines and tests).
    public var watchedFolders: Int {
        queue.sync { watches.count }
    }

    // MARK: inotify

    private func drain() {
        guard running, let inotify else { return }
        let now = ProcessInfo.processInfo.systemUptime
        var rescan = false
        for event in inotify.read() {
            if event.mask.contains(.queueOverflow) {
                rescan = true
                continue
            }
            if event.mask.contains(.ignored) {
                if let folder = folders.removeValue(forKey: event.watch), watches[folder] == event.watch { watches[folder] = nil }
                continue
            }
            guard let folder = folders[event.watch] else { continue }
            if event.name.isEmpty {
                // The folder itself went or moved; its parent's event covers it, except for the root.
                if folder.isEmpty, !event.mask.intersection([.deleteSelf, .moveSelf, .unmount]).isEmpty {
                    logger.warning("the content folder itself was removed or moved", metadata: ["root": "\(scanner.site.root)"])
                    rescan = true
                }
                continue
            }
            let path = folder.isEmpty ? event.name : folder + "/" + event.name
            if event.mask.contains(.isDirectory) {
                guard !PageIdentity.isIgnored(event.name) else { continue }
                if !event.mask.intersection([.movedFrom, .delete]).isEmpty { unwatchTree(path) }
                // Watch first, then scan: a file created in the new folder meanwhile is not missed.
                if !event.mask.intersection([.create, .movedTo]).isEmpty { watchTree(path) }
                schedule.note(path, at: now)
            } else if PageIdentity.isPage(event.name) {
                schedule.note(path, at: now)
            }
        }
        if rescan {
            logger.warning("inotify dropped events (queue overflow); scanning the whole tree")
            fullRescan(reason: nil)
        }
        armDebounce()
    }

    private func armDebounce() {
        guard running, let deadline = schedule.nextDeadline else { return }
        let delay = max(0, deadline - ProcessInfo.processInfo.systemUptime)
        if debounceTimer == nil {
            let timer = DispatchSource.makeTimerSource(queue: queue)
            timer.setEventHandler { [weak self] in self?.scanDue() }
            timer.resume()
            debounceTimer = timer
        }
        debounceTimer?.schedule(deadline: .now() + delay, leeway: .milliseconds(20))
    }

    private func scanDue() {
        guard running else { return }
        let due = schedule.takeDue(at: ProcessInfo.processInfo.systemUptime)
        if !due.isEmpty { scan(.paths(Set(due))) }
        armDebounce()
    }

    /// Watches `path` and every folder under it (real folders only, not symlinks).
    private func watchTree(_ path: String) {
        guard let inotify else { return }
        var pending = [path]
        var exhausted = false
        while let folder = pending.popLast() {
            let absolute = folder.isEmpty ? scanner.site.root : scanner.site.root + "/" + folder
            switch inotify.watch(absolute) {
            case .success(let wd):
                if let old = folders[wd], old != folder, watches[old] == wd { watches[old] = nil }
                folders[wd] = folder
                watches[folder] = wd
            case .failure(let error) where error.code == ENOSPC:
                exhausted = true
                continue
            case .failure:
                continue  // gone already, or not a folder: the scan reports what matters
            }
            guard case .success(let entries) = FileSystem.list(absolute) else { continue }
            for entry in entries where !PageIdentity.isIgnored(entry.name) {
                let child = folder.isEmpty ? entry.name : folder + "/" + entry.name
                if entry.kind == .directory {
                    pending.append(child)
                } else if entry.kind == nil, case .success(let info) = FileSystem.info(scanner.site.root + "/" + child), info.kind == .directory {
                    pending.append(child)
                }
            }
        }
        if exhausted && !watchesExhausted {
            logger.warning(
                "out of inotify watches (raise fs.inotify.max_user_watches); scanning the whole tree, and relying on the periodic rescan for unwatched folders",
                metadata: ["watched": "\(watches.count)"])
            queue.async { [weak self] in self?.fullRescan(reason: nil, rewatch: false) }
        }
        watchesExhausted = exhausted
    }

    private func unwatchTree(_ path: String) {
        guard let inotify else { return }
        for (folder, wd) in watches where ContentScanner.isInside(folder, path) {
            inotify.unwatch(wd)
            watches[folder] = nil
            folders[wd] = nil
        }
    }

    // MARK: Scanning

    private func fullRescan(reason: String?, rewatch: Bool = true) {
        guard running else { return }
        if let reason { logger.info("full content rescan", metadata: ["reason": "\(reason)"]) }
        if rewatch { watchTree("") }
        scan(.full)
    }

    private func scan(_ scope: ScanScope) {
        do {
            let report = try scanner.scan(scope)
            after(report)
            onScan(report)
        } catch {
            let retry = min(settings.rescanInterval, 30)
            logger.error("content scan failed; trying again", metadata: ["reason": "\(error)", "retry_in": "\(Int(retry))s"])
            retryTimer?.cancel()
            let timer = DispatchSource.makeTimerSource(queue: queue)
            timer.schedule(deadline: .now() + retry)
            timer.setEventHandler { [weak self] in self?.fullRescan(reason: "retry after a failed scan") }
            timer.resume()
            retryTimer = timer
        }
    }

    private func after(_ report: ScanReport) {
        publicationTimer?.cancel()
        publicationTimer = nil
        if let due = report.nextPublication {
            let delay = max(1, due.timeIntervalSinceNow + 1)
            let timer = DispatchSource.makeTimerSource(queue: queue)
            timer.schedule(deadline: .now() + delay, leeway: .seconds(1))
            // An empty scope reads no file but publishes the posts whose date has come.
            timer.setEventHandler { [weak self] in self?.scan(.paths([])) }
            timer.resume()
            publicationTimer = timer
        }
        if !report.events.isEmpty { onEvents(report.events) }
    }
}
