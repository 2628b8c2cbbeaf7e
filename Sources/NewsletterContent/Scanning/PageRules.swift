import Foundation
import NewsletterCore

/// The rules that turn a file's new reading and its recorded state into its next state and,
/// perhaps, an event. Pure: the clock and the tree's history come in as values.
///
/// - The baseline scan records every file and announces nothing.
/// - A page's update is announced when its marker moves later than the recorded one. An
///   earlier marker, or changed text with the same marker, is noted, not announced.
/// - A page first seen after the baseline is announced when its marker is no older than the
///   previous scan (it was written since we last looked); an old page copied or moved in is
///   not. A moved file is recognised by its bytes or URL and keeps its history.
/// - With `content.fallback: hash`, a page without a marker is announced when its bytes
///   change, dated by its modification time.
/// - A post is announced once: when it first appears published after the baseline, when its
///   draft flag is cleared, or when its future date arrives.
struct PageRules: Sendable {
    var baseline: Bool
    /// When the previous scan finished (nil before the baseline).
    var previousScan: Date?
    var now: Date
    var fallback: ContentSettings.Fallback

    struct Outcome: Equatable {
        var page: ContentPage
        var event: NewContentEvent?
        var note: String?
    }

    /// The next state of a file that was read successfully. `previous` is its recorded state
    /// (nil if new); `moved` a removed file it appears to be a move of.
    func apply(_ observed: ObservedPage, _ details: ObservedPage.Details, previous: ContentPage?, moved: ContentPage?) -> Outcome {
        let known = previous.flatMap { $0.status == .skipped ? nil : $0 } ?? moved
        var page = ContentPage(
            path: observed.path, kind: observed.kind, status: .current, title: details.title, summary: details.summary, url: details.url,
            topics: details.topics, lastUpdated: details.lastUpdated?.iso, recordedMarker: details.lastUpdated?.iso ?? known?.recordedMarker,
            contentHash: details.hash, size: observed.stamp.size, modifiedNanos: observed.stamp.modifiedNanos, inode: observed.stamp.inode,
            firstSeen: previous?.firstSeen ?? now, changedAt: now)
        switch observed.kind {
        case .page: return applyPage(page: &page, details: details, known: known, isMove: previous == nil && moved != nil)
        case .post: return applyPost(page: &page, details: details, known: known)
        }
    }

    private func applyPage(page: inout ContentPage, details: ObservedPage.Details, known: ContentPage?, isMove: Bool) -> Outcome {
        page.status = details.lastUpdated == nil ? .noMarker : .current
        if known != nil && known?.contentHash == details.hash && known?.lastUpdated == page.lastUpdated {
            page.changedAt = known?.changedAt ?? now
        }
        guard !baseline else { return Outcome(page: page) }
        if let marker = details.lastUpdated {
            if let known, let recorded = known.recordedMarker.flatMap(MarkerDate.init(iso:)) {
                if marker.isLater(than: recorded) {
                    return Outcome(page: page, event: event(.pageUpdated, page, marker: marker.iso))
                }
                if recorded.isLater(than: marker) {
                    return Outcome(page: page, note: "marker moved back from \(recorded.iso) to \(marker.iso); no event")
                }
                if known.contentHash != details.hash && !isMove {
                    return Outcome(page: page, note: "text changed but the marker is still \(marker.iso); no event")
                }
                return Outcome(page: page)
            }
            // New to us, or its first marker: news only if written since the previous scan.
            if isFresh(marker) { return Outcome(page: page, event: event(.pageUpdated, page, marker: marker.iso)) }
            return Outcome(page: page, note: known == nil ? nil : "marker \(marker.iso) appeared, older than the previous scan; no event")
        }
        guard fallback == .hash else { return Outcome(page: page) }
        if let known {
            guard known.contentHash != details.hash else { return Outcome(page: page) }
            return Outcome(page: page, event: event(.pageUpdated, page, marker: details.modified.iso))
        }
        return isFresh(details.modified) ? Outcome(page: page, event: event(.pageUpdated, page, marker: details.modified.iso)) : Outcome(page: page)
    }

    private func applyPost(page: inout ContentPage, details: ObservedPage.Details, known: ContentPage?) -> Outcome {
        page.publishedOn = details.postDate.iso
        page.announced = known?.announced ?? false
        if known != nil && known?.contentHash == details.hash { page.changedAt = known?.changedAt ?? now }
        if details.draft {
            page.status = .draft
        } else if isFuture(details.postDate) {
            page.status = .scheduled
        } else {
            page.status = .published
        }
        guard page.status == .published, !page.announced else { return Outcome(page: page) }
        page.announced = true
        if baseline { return Outcome(page: page) }
        return Outcome(page: page, event: event(.postPublished, page, marker: details.postDate.iso))
    }

    /// A scheduled post whose date has come.
    func publishIfDue(_ post: ContentPage) -> Outcome? {
        guard post.status == .scheduled, let text = post.publishedOn, let date = MarkerDate(iso: text), !isFuture(date) else { return nil }
        var page = post
        page.status = .published
        page.changedAt = now
        guard !page.announced else { return Outcome(page: page) }
        page.announced = true
        return Outcome(page: page, event: baseline ? nil : event(.postPublished, page, marker: text))
    }

    /// A file that is gone.
    func remove(_ page: ContentPage) -> ContentPage {
        var removed = page
        removed.status = .removed
        removed.removedAt = now
        removed.changedAt = now
        removed.problem = nil
        return removed
    }

    /// A file that could not be read: what was known stays, with the reason.
    func problem(_ observed: ObservedPage, reason: String, previous: ContentPage?, identity: PageIdentity) -> ContentPage {
        if var page = previous, page.status != .removed {
            page.problem = reason
            return page
        }
        return ContentPage(
            path: observed.path, kind: observed.kind, status: .skipped, title: identity.fallbackTitle(of: observed.path),
            url: identity.url(of: observed.path), topics: identity.topics(of: observed.path, declared: []),
            recordedMarker: previous?.recordedMarker, announced: previous?.announced ?? false, contentHash: previous?.contentHash,
            size: observed.stamp.size, modifiedNanos: observed.stamp.modifiedNanos, inode: observed.stamp.inode,
            firstSeen: previous?.firstSeen ?? now, changedAt: now, problem: reason)
    }

    /// The event `--announce-existing` records for a file, if it has one to announce.
    func announcement(_ page: ContentPage) -> NewContentEvent? {
        switch (page.kind, page.status) {
        case (.page, .current): return page.lastUpdated.map { event(.pageUpdated, page, marker: $0) }
        case (.post, .published): return page.publishedOn.map { event(.postPublished, page, marker: $0) }
        default: return nil
        }
    }

    func isFuture(_ date: MarkerDate) -> Bool {
        let today = MarkerDate(instant: now)
        return date.hasTime ? date.instant > now : date.dayNumber > today.dayNumber
    }

    func isFresh(_ marker: MarkerDate) -> Bool {
        guard let previousScan else { return false }
        let scanned = MarkerDate(instant: previousScan)
        return marker.hasTime ? marker.instant > previousScan : marker.dayNumber >= scanned.dayNumber
    }

    private func event(_ kind: ContentEventKind, _ page: ContentPage, marker: String) -> NewContentEvent {
        NewContentEvent(kind: kind, path: page.path, title: page.title, summary: page.summary, url: page.url, topics: page.topics, marker: marker)
    }
}
