import Foundation
import NewsletterCore

/// Records what a scan observed, in one write transaction: page state and the events digests
/// are built from, judged by ``PageRules``. Shared by the content folder's scanner and the
/// website's, so a page means the same whichever way it was read.
struct ScanRecorder {
    /// What `content_scan.root` names: the content folder, or the website.
    let root: String
    let fallback: ContentSettings.Fallback
    let identity: PageIdentity
    let now: @Sendable () -> Date

    func record(
        observed: [ObservedPage], gone: [String], options: ScanOptions, report: ScanReport, tx: StoreTransaction
    ) throws -> ScanReport {
        var report = report
        let time = now()
        let state = try tx.contentScanState()
        let isBaseline = state == nil
        report.baseline = isBaseline
        let rules = PageRules(baseline: isBaseline, previousScan: state?.lastScanAt, now: time, fallback: fallback)
        var pending: [NewContentEvent] = []

        // Removals first, so a file that moved is recognised by its old self below.
        for path in gone {
            guard let page = try tx.contentPage(path: path), page.status != .removed else { continue }
            try tx.saveContentPage(rules.remove(page))
            report.removed.append(path)
        }

        for file in observed {
            for warning in file.warnings { report.warnings.append(ScanWarning(path: file.path, reason: warning)) }
            let previous = try tx.contentPage(path: file.path)
            switch file.content {
            case .problem(let reason):
                report.warnings.append(ScanWarning(path: file.path, reason: reason))
                try tx.saveContentPage(rules.problem(file, reason: reason, previous: previous, identity: identity))
            case .page(let details):
                var moved: ContentPage?
                if previous == nil || previous?.status == .skipped, !isBaseline {
                    moved = try tx.removedContentPage(kind: file.kind, hash: details.hash, url: details.url)
                }
                let outcome = rules.apply(file, details, previous: previous, moved: moved)
                if let moved {
                    // Its history now belongs to the new path.
                    try tx.deleteContentPage(path: moved.path)
                    report.notes.append(ScanWarning(path: file.path, reason: "recognised as \(moved.path), moved"))
                }
                try tx.saveContentPage(outcome.page)
                if let event = outcome.event { pending.append(event) }
                if let note = outcome.note { report.notes.append(ScanWarning(path: file.path, reason: note)) }
            }
        }

        var nextPublication: Date?
        for post in try tx.scheduledPosts() {
            if let outcome = rules.publishIfDue(post) {
                try tx.saveContentPage(outcome.page)
                if let event = outcome.event { pending.append(event) }
            } else if let date = post.publishedOn.flatMap(MarkerDate.init(iso:)) {
                let due = date.instant
                nextPublication = min(nextPublication ?? due, due)
            }
        }
        report.nextPublication = nextPublication

        if options.announceExisting {
            for page in try tx.contentPages() {
                if let event = rules.announcement(page) { pending.append(event) }
            }
        }

        for event in pending {
            if options.dryRun {
                // Rehearsed inside a rolled-back transaction: the insert shows whether it is new.
                if let stored = try tx.recordEvent(event, detectedAt: time) {
                    var shown = stored
                    shown.id = 0
                    report.events.append(shown)
                }
            } else if let stored = try tx.recordEvent(event, detectedAt: time) {
                report.events.append(stored)
            }
        }

        try tx.saveContentScanState(
            ContentScanState(
                root: root, baselineAt: state?.baselineAt ?? time, lastScanAt: time,
                lastFullScanAt: report.full ? time : state?.lastFullScanAt ?? time))
        let counts = try tx.contentPageCounts()
        report.pages = counts[.page] ?? 0
        report.posts = counts[.post] ?? 0
        return report
    }
}
