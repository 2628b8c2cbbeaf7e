import Foundation
import NewsletterCore

/// `content scan --explain URL`: how one page of the website is read, so staff can see why
/// a page did or did not count: the fetch, every date found and where, the one chosen, and
/// what the next scan would make of it against what is recorded. Records nothing.
public struct PageExplanation: Sendable {
    public var lines: [String] = []

    public var text: String { lines.map { $0.escapingControlCharacters + "\n" }.joined() }
}

extension WebsiteScanner {
    public func explain(_ url: String) throws -> PageExplanation {
        var out = PageExplanation()
        out.lines.append("Page: \(url)")
        let path = WebsiteScanRun.pagePath(url)
        if !site.watches(path: path) { out.lines.append("Not watched: the path \(path) is left out by site.include or site.exclude.") }
        let (recorded, resource, state) = try store.read { tx in
            (try tx.contentPage(path: url), try tx.webResources()[url], try tx.contentScanState())
        }
        var run = WebsiteScanRun(site: site, recorded: [:], resources: [:], now: now(), reader: reader, identity: identity)
        let pool = FetchPool(options: site.fetchOptions, perHost: 1, delay: 0)
        run.readRobotsFor([url], pool)
        guard run.allowed(url) else {
            out.lines.append("robots.txt does not allow this address to be fetched by carers-newsletter; it is not watched.")
            return out
        }
        let result = pool.fetchAll([HTTPRequest(url: url)])[0]
        let response: HTTPResponse
        switch result {
        case .failure(let error):
            out.lines.append("Fetch failed: \(error.reason). A failed fetch changes nothing: the page keeps what was recorded.")
            return out
        case .success(let answer):
            response = answer
        }
        let validators = [response.etag.map { "ETag \($0)" }, response.lastModified.map { "Last-Modified \($0)" }].compactMap { $0 }
        out.lines.append(
            "Fetched: HTTP \(response.status), \(response.body.count) bytes, \(response.contentType ?? "no content type")"
                + (response.url != url ? ", redirected to \(response.url)" : "")
                + (validators.isEmpty ? "; no validators (every check downloads it whole)" : "; " + validators.joined(separator: ", ")))
        if let type = response.contentType, type != "text/html", type != "application/xhtml+xml" {
            out.lines.append("Not an HTML page (\(type)): it is not read.")
            return out
        }
        let reading = reader.read(TextDecoding.utf8(response.body).0, url: response.url)
        if let reason = reading.notAPage {
            out.lines.append("Not read as the page: \(reason). Nothing about the page changes while it answers like this.")
            return out
        }
        out.lines.append("Title: \(reading.title ?? "(none found)")")
        out.lines.append("Summary: \(reading.summary ?? "(none found)")")
        if let canonical = reading.canonicalURL, canonical != url { out.lines.append("Canonical address: \(canonical)") }
        out.lines.append("Dates found (the visible text first, then <meta>, then JSON-LD):")
        if reading.candidates.isEmpty { out.lines.append("  none") }
        for candidate in reading.candidates {
            let value = candidate.date.map { "\($0.iso)" } ?? "unreadable: \(candidate.problem ?? "not a date")"
            out.lines.append("  \(candidate.chosen ? "*" : "-") \(candidate.source): \(candidate.text.quotedForDisplay) → \(value)")
        }
        for warning in reading.warnings { out.lines.append("Warning: \(warning)") }
        out.lines.append(verdict(reading, recorded: recorded, resource: resource, lastScan: state?.lastScanAt))
        return out
    }

    private func verdict(_ reading: WebPageReading, recorded: ContentPage?, resource: WebResource?, lastScan: Date?) -> String {
        guard let marker = reading.lastUpdated else {
            return site.fallback == .hash
                ? "No \"last updated\" date: with content.fallback: hash, a change of its title or summary counts as an update."
                : "No \"last updated\" date: the page is listed but never announced (content.fallback: none)."
        }
        let chosen = "Its date is \(marker.iso), from \(reading.lastUpdatedSource ?? "the page")."
        guard lastScan != nil else { return chosen + " No baseline yet: the first scan records it and announces nothing." }
        guard let recorded, recorded.status != .skipped, let previous = recorded.recordedMarker.flatMap(MarkerDate.init(iso:)) else {
            return chosen + " It is not recorded yet: it is announced if that date is no older than the previous scan."
        }
        var text = chosen + " Recorded: \(previous.iso)."
        if marker.isLater(than: previous) {
            text += " Later than recorded: the next scan that fetches it announces an update."
        } else if previous.isLater(than: marker) {
            text += " Earlier than recorded: noted, not announced."
        } else {
            text += " The same date: not an update, whatever else changed on the page."
        }
        if let failures = resource?.failures, failures > 0 {
            text += " The last \(failures) fetch\(failures == 1 ? "" : "es") failed (\(resource?.lastError ?? "")); it is retried with backoff."
        }
        return text
    }
}
