import Foundation

/// Reads one fetched HTML page: its title and summary from its main content (never its
/// menus, cookie notice or breadcrumbs), and its own "last updated" date.
///
/// The date is the visible phrase when the page shows one (the same phrases and date forms as
/// files: "This information was last updated on 05/05/2022"), looked for in the main content,
/// then in the rest of the page outside its menus and banners; else a `<meta>` date; else
/// JSON-LD `dateModified`. The visible phrase comes first because it is what the page's
/// editors wrote: CMSs move their modified dates on every save, a changed menu included.
///
/// One pass over the page, then one over its tags: the work is a few steps per byte whatever
/// the page holds, and is reported to `ParseWork` like the file parsers'.
package struct WebPageReader: Sendable {
    package let reader: DateReader

    package init(reader: DateReader) {
        self.reader = reader
    }

    /// Past this a page is read only so far: the outline counts bytes in 32 bits.
    static let sizeLimit = 1 << 30

    /// `html` is decoded UTF-8 (see `TextDecoding`); `url` the address it was fetched from.
    package func read(_ html: [UInt8], url: String) -> WebPageReading {
        var work = 0
        defer { ParseWork.record(work) }
        var page = WebPageReading()
        let truncated = html.count > Self.sizeLimit
        let html = truncated ? Array(html.prefix(Self.sizeLimit)) : html
        if truncated { page.warnings.append("the page is over \(Self.sizeLimit >> 20) MB; only its start is read") }
        var outline = WebPageOutline(html, work: &work)
        let content = MainContent(outline: &outline, html: html, reader: reader, work: &work)
        let meta = outline.meta
        let siteName = meta["og:site_name"].map(TextCleanup.collapse).flatMap { $0.isEmpty ? nil : $0 }

        let split = outline.title.map { WebPageTitle.split($0, siteName: siteName) }
        let title = split.flatMap { Self.nonEmpty($0.page) }
        let ogTitle = meta["og:title"].map { WebPageTitle.withoutSiteName($0, siteName: siteName) }.flatMap(Self.nonEmpty)
        let heading = content.heading ?? content.headingOutside
        page.title = (heading ?? ogTitle ?? title).flatMap(TextCleanup.title)

        if let description = [meta["description"], meta["og:description"]].compactMap({ $0 }).first(where: {
            WebPageTitle.isUseful($0, title: page.title, siteNames: [siteName, split?.site].compactMap { $0 })
        }) {
            page.summary = TextCleanup.summary(TextCleanup.collapse(description))
        } else if let paragraph = content.paragraph {
            page.summary = SummaryText.make(paragraph: paragraph, items: content.items, next: content.next)
        }

        let base = outline.baseHref.flatMap { Self.resolve($0, against: url) } ?? url
        if let href = outline.canonicalHref {
            page.canonicalURL = Self.resolve(href, against: base)
            if page.canonicalURL == nil { page.warnings.append("the canonical link \(href.quotedText) is not a web address") }
        }
        let jsonLD = JSONLDDates(html, blocks: outline.jsonLD, pageURLs: [url] + (page.canonicalURL.map { [$0] } ?? []), work: &work)
        readMarker(content: content, meta: meta, jsonLD: jsonLD, into: &page, work: &work)
        readPublished(meta: meta, jsonLD: jsonLD, into: &page)
        page.warnings += jsonLD.warnings

        page.language = outline.language.flatMap(Self.languageTag)
        page.noindex = outline.robots.contains { content in
            content.lowercased().split(whereSeparator: { $0 == "," || $0 == " " }).contains { $0 == "noindex" || $0 == "none" }
        }
        page.notAPage = WebPageNotAPage.reason(
            heading: heading, title: title, passwordField: content.passwordField, contentLength: content.contentLength)
        return page
    }

    private func readMarker(content: MainContent, meta: [String: String], jsonLD: JSONLDDates, into page: inout WebPageReading, work: inout Int) {
        var usable: [Bool] = []
        let phrases = [
            ("visible text in the main content", content.contentText, true),
            ("visible text outside the main content", content.outsideText, true),
            ("visible text in menus, banners and sidebars (never used)", content.furnitureText, false),
        ]
        let finder = MarkerPhrase(reader: reader)
        for (source, text, use) in phrases {
            let text = Array(HTMLEntities.decode(text).utf8)
            guard let found = finder.find(in: text) else { continue }
            switch found {
            case .date(let date, let phrase):
                let phrase = Self.sentence(holding: phrase, in: text, work: &work)
                page.candidates.append(DateCandidate(source: source, text: phrase, date: date, problem: nil))
            case .impossible(let shown, let phrase):
                let phrase = Self.sentence(holding: phrase, in: text, work: &work)
                page.candidates.append(DateCandidate(source: source, text: phrase, date: nil, problem: "\(shown.quotedText) is not a real date"))
                if use { page.warnings.append("impossible date \(shown.quotedText) in \(phrase.quotedText); the phrase is not used") }
            }
            usable.append(use)
        }
        for key in WebPageDates.modifiedMeta {
            guard let value = meta[key] else { continue }
            let (date, problem) = WebPageDates.read(value, reader: reader)
            page.candidates.append(DateCandidate(source: "meta \(key)", text: TextCleanup.collapse(String(value.prefix(200))), date: date, problem: problem))
            if let problem { page.warnings.append(WebPageDates.warning(value, field: "<meta \(key)>", problem: problem)) }
            usable.append(true)
        }
        for found in jsonLD.modified {
            let (date, problem) = WebPageDates.read(found.value, reader: reader)
            let source = "JSON-LD dateModified" + (found.type.map { " (\($0))" } ?? "")
            page.candidates.append(DateCandidate(source: source, text: TextCleanup.collapse(String(found.value.prefix(200))), date: date, problem: problem))
            if let problem { page.warnings.append(WebPageDates.warning(found.value, field: "JSON-LD dateModified", problem: problem)) }
            usable.append(true)
        }
        guard let chosen = page.candidates.indices.first(where: { usable[$0] && page.candidates[$0].date != nil }) else { return }
        page.candidates[chosen].chosen = true
        let candidate = page.candidates[chosen]
        page.lastUpdated = candidate.date
        if candidate.source.hasPrefix("visible text") {
            page.lastUpdatedSource = "visible text \(candidate.text.quotedText)"
        } else if candidate.source.hasPrefix("JSON-LD") {
            page.lastUpdatedSource = "JSON-LD dateModified"
        } else {
            page.lastUpdatedSource = candidate.source
        }
    }

    private func readPublished(meta: [String: String], jsonLD: JSONLDDates, into page: inout WebPageReading) {
        if let value = meta[WebPageDates.publishedMeta] {
            let (date, problem) = WebPageDates.read(value, reader: reader)
            if let problem { page.warnings.append(WebPageDates.warning(value, field: "<meta \(WebPageDates.publishedMeta)>", problem: problem)) }
            if let date {
                page.published = date
                return
            }
        }
        page.published = jsonLD.published.lazy.compactMap { WebPageDates.read($0.value, reader: self.reader).date }.first
    }

    /// The phrase with the start of its sentence ("This information was last updated on
    /// 05/05/2022", not "last updated on 05/05/2022"), so that staff recognise it on the page.
    static func sentence(holding phrase: String, in text: [UInt8], work: inout Int) -> String {
        // The phrase finder takes the last of equals: so does this.
        guard let found = lastIndex(of: Array(phrase.utf8), in: text, work: &work) else { return phrase }
        var start = found.lowerBound
        let earliest = max(0, start - 120)
        while start > earliest {
            let before = text[start - 1]
            if before == 0x0A { break }
            if before == 0x20, start >= 2, [UInt8(ascii: "."), UInt8(ascii: "!"), UInt8(ascii: "?")].contains(text[start - 2]) { break }
            start -= 1
        }
        // Too far back to be the phrase's own line: the phrase alone.
        if start == earliest, start > 0, text[start - 1] != 0x0A { return phrase }
        return TextCleanup.collapse(String(decoding: text[start..<found.upperBound], as: UTF8.self))
    }

    /// Knuth-Morris-Pratt, so that text made of near-copies of the phrase costs one pass.
    static func lastIndex(of needle: [UInt8], in text: [UInt8], work: inout Int) -> Range<Int>? {
        guard !needle.isEmpty, needle.count <= text.count else { return nil }
        var fallback = [Int](repeating: 0, count: needle.count)
        var length = 0
        for index in 1..<max(1, needle.count) {
            while length > 0, needle[index] != needle[length] { length = fallback[length - 1] }
            if needle[index] == needle[length] { length += 1 }
            fallback[index] = length
        }
        var last: Range<Int>?
        var matched = 0
        for (index, byte) in text.enumerated() {
            while matched > 0, byte != needle[matched] { matched = fallback[matched - 1] }
            if byte == needle[matched] { matched += 1 }
            if matched == needle.count {
                last = (index + 1 - needle.count)..<(index + 1)
                matched = fallback[matched - 1]
            }
        }
        work += text.count
        return last
    }

    static func nonEmpty(_ text: String) -> String? { text.isEmpty ? nil : text }

    /// `href` as an absolute http(s) address, or nil.
    static func resolve(_ href: String, against base: String) -> String? {
        let href = TextCleanup.collapse(href)
        guard !href.isEmpty, href.utf8.count <= 2048, let baseURL = URL(string: base), let url = URL(string: href, relativeTo: baseURL) else { return nil }
        let absolute = url.absoluteString
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host?.isEmpty == false,
            !absolute.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F })
        else { return nil }
        return absolute
    }

    /// A BCP 47 tag as written ("en-GB"), or nil for anything else.
    static func languageTag(_ value: String) -> String? {
        let tag = TextCleanup.collapse(value)
        guard !tag.isEmpty, tag.utf8.count <= 35,
            tag.utf8.allSatisfy({ DateReader.isLetter($0) || DateReader.isDigit($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") })
        else { return nil }
        return tag
    }
}
