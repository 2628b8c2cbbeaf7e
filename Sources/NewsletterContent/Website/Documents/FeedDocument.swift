import Foundation

/// One item of an RSS feed or entry of an Atom feed, reduced to what a newsletter needs.
struct FeedEntry: Equatable, Sendable {
    /// A stable identifier: the `guid` (RSS) or `id` (Atom); failing that `rdf:about`
    /// (RSS 1.0), then the link, then "title|date" (ISO 8601, UTC), then the title alone.
    /// Entries with none of these are dropped with a warning.
    var id: String
    /// Absolute when it was relative and the feed's address was given.
    var link: String?
    /// Plain text; HTML titles are decoded and stripped of tags.
    var title: String?
    /// Plain-text teaser of about 300 characters from the description/summary, or from
    /// the full content when there is no description.
    var summary: String?
    /// `pubDate`, Atom `published`, or `dc:date`. Future dates are reported as written.
    var published: Date?
    /// Atom `updated`, or `dcterms:modified`.
    var updated: Date?
}

/// A parsed RSS 2.0, RSS 1.0 (RDF) or Atom 1.0 feed (RSS 0.9x and Atom 0.3 also read).
struct FeedDocument: Equatable, Sendable {
    enum Format: Equatable, Sendable {
        case rss
        case rdf
        case atom
    }

    var format: Format
    /// The channel or feed title, as plain text.
    var title: String?
    /// In document order, which for almost every site is newest first.
    var entries: [FeedEntry]
    /// Problems that did not stop the feed being read, one line each, in plain English.
    var warnings: [String]

    /// Reads a feed, gzip-compressed or not.
    ///
    /// - Parameter baseURL: the address the feed was fetched from; relative links
    ///   (and `xml:base` attributes) are resolved against it. Without it, relative
    ///   links are returned as written.
    /// - Parameter limits: entries past `maxEntries` are dropped with a warning; text
    ///   fields longer than `maxFieldBytes` are cut with a warning.
    static func parse(
        _ bytes: [UInt8], baseURL: URL? = nil, limits: WebDocumentLimits = .feed
    ) throws(WebDocumentError) -> FeedDocument {
        let xml = try XMLInput.decompressed(bytes, limits: limits)
        let builder = Builder(limits: limits, baseURL: baseURL)
        let notes: [String]
        switch XMLScan.run(xml, handler: builder) {
        case .success(let value):
            notes = value
        case .failure(.rejected(.empty)):
            throw .notAFeed("the file is empty")
        case .failure(.rejected(.html(let title))):
            throw .notAFeed(title.map { "the server sent an HTML page titled \"\($0)\"" }
                ?? "the server sent an HTML page")
        case .failure(.rejected(.notMarkup(let preview))):
            throw .notAFeed("the content is not XML; it begins \"\(preview)\"")
        case .failure(.malformed(let detail)):
            if let rejection = builder.rejection { throw .notAFeed(rejection) }
            throw .invalidXML(detail)
        }
        if let rejection = builder.rejection { throw .notAFeed(rejection) }
        guard let format = builder.format else { throw .notAFeed("the document has no root element") }

        var tally = builder.tally
        for note in notes { tally.add(note) }
        return FeedDocument(format: format, title: builder.feedTitle, entries: builder.entries,
                            warnings: tally.messages)
    }
}

// MARK: - Building

extension FeedDocument {
    private enum Namespace {
        static let rssCore: Set<String> = [
            "", "http://purl.org/rss/1.0/", "http://my.netscape.com/rdf/simple/0.9/",
            "http://backend.userland.com/rss2", "http://backend.userland.com/rss",
        ]
        static let atom: Set<String> = ["http://www.w3.org/2005/Atom", "http://purl.org/atom/ns#"]
        static let content = "http://purl.org/rss/1.0/modules/content/"
        static let dublinCore = "http://purl.org/dc/elements/1.1/"
        static let dublinCoreTerms = "http://purl.org/dc/terms/"
    }

    private enum Field: Hashable {
        case id, link, title, description, content, published, dcDate, updated
    }

    /// How the text of a field is to be read.
    private enum TextType {
        case text, html, xhtml

        /// Atom `type` values, including the MIME forms some generators write.
        init(atomType: String?) {
            switch atomType?.lowercased() {
            case "html", "text/html": self = .html
            case "xhtml", "application/xhtml+xml": self = .xhtml
            default: self = .text
            }
        }

        func plainText(_ raw: String) -> String {
            switch self {
            case .html: HTMLText.plainText(fromHTML: raw)
            case .text, .xhtml: HTMLText.normalizeWhitespace(raw)
            }
        }
    }

    private struct Capture {
        var field: Field
        var depth: Int
        var type: TextType
        var buffer: BoundedText
    }

    private struct AlternateLink {
        var href: String
        var preferred: Bool
    }

    private struct Draft {
        var values: [Field: (text: String, type: TextType)] = [:]
        var about: String?
        var guidIsPermaLink = true
        var alternate: AlternateLink?
        var base: URL?
    }

    private struct Frame {
        var name: XMLName
        var base: URL?
    }

    private final class Builder: XMLScanHandler {
        let limits: WebDocumentLimits
        let baseURL: URL?
        var format: Format?
        var rejection: String?
        var feedTitle: String?
        var entries: [FeedEntry] = []
        var tally = WarningTally()

        private var stack: [Frame] = []
        private var itemDepth: Int?
        private var draft = Draft()
        private var capture: Capture?
        private var titleCapture: Capture?

        /// Elements that end a line or paragraph in XHTML content.
        private static let breaking: Set<String> = [
            "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
            "blockquote", "pre", "tr", "td", "th", "table", "section", "article", "figure", "hr",
        ]

        init(limits: WebDocumentLimits, baseURL: URL?) {
            self.limits = limits
            self.baseURL = baseURL
        }

        func startElement(_ name: XMLName, attributes: [String: String]) -> Bool {
            let parentBase = stack.last?.base ?? baseURL
            let base = attributes["xml:base"].flatMap { resolveURL($0, against: parentBase) } ?? parentBase
            let parent = stack.last?.name
            stack.append(Frame(name: name, base: base))
            let depth = stack.count

            if depth == 1 { return acceptRoot(name) }

            if capture != nil || titleCapture != nil {
                if Self.breaking.contains(name.local) {
                    capture?.buffer.appendSeparator()
                    titleCapture?.buffer.appendSeparator()
                }
                return true
            }

            if let itemDepth {
                if depth == itemDepth + 1 { startEntryChild(name, attributes: attributes, depth: depth, base: base) }
                return true
            }

            if isEntry(name, parent: parent, depth: depth) {
                guard entries.count < limits.maxEntries else {
                    tally.add("the feed has more than \(limits.maxEntries) entries; only the first \(limits.maxEntries) were kept")
                    return false
                }
                itemDepth = depth
                draft = Draft(base: base)
                draft.about = attributes.first { key, _ in key == "about" || key.hasSuffix(":about") }?.value
                return true
            }

            if feedTitle == nil, name.local == "title", isFeedTitlePosition(parent: parent, depth: depth),
               Namespace.rssCore.contains(name.namespace) || Namespace.atom.contains(name.namespace) {
                let type: TextType = format == .atom ? TextType(atomType: attributes["type"]) : .html
                titleCapture = Capture(field: .title, depth: depth, type: type,
                                       buffer: BoundedText(limit: limits.maxFieldBytes))
            }
            return true
        }

        func endElement(_ name: XMLName) {
            let depth = stack.count
            defer { _ = stack.popLast() }

            if let current = titleCapture, current.depth == depth {
                titleCapture = nil
                let text = current.type.plainText(current.buffer.value)
                feedTitle = text.isEmpty ? nil : text
                return
            }
            if let current = capture {
                if current.depth == depth {
                    capture = nil
                    if current.buffer.truncated {
                        tally.note(one: "field was longer than \(limits.maxFieldBytes) bytes and was cut",
                                   many: "fields were longer than \(limits.maxFieldBytes) bytes and were cut")
                    }
                    if draft.values[current.field]?.text.isEmpty ?? true {
                        draft.values[current.field] = (current.buffer.value, current.type)
                    }
                } else if Self.breaking.contains(name.local) {
                    capture?.buffer.appendSeparator()
                }
                return
            }
            if let itemDepth, itemDepth == depth {
                self.itemDepth = nil
                finishEntry()
            }
        }

        func text(_ text: String) {
            capture?.buffer.append(text)
            titleCapture?.buffer.append(text)
        }

        // MARK: Structure

        private func acceptRoot(_ name: XMLName) -> Bool {
            switch name.local {
            case "rss": format = .rss
            case "RDF": format = .rdf
            case "feed" where Namespace.atom.contains(name.namespace) || name.namespace.isEmpty: format = .atom
            default:
                rejection = "its root element is <\(name.local)>, not <rss>, <feed> or <rdf:RDF>"
                return false
            }
            return true
        }

        private func isEntry(_ name: XMLName, parent: XMLName?, depth: Int) -> Bool {
            switch format {
            case .atom:
                return depth == 2 && name.local == "entry" && Namespace.atom.contains(name.namespace)
            case .rss, .rdf:
                // RSS 2.0 nests items in <channel>; RSS 1.0 and 0.90 put them beside it.
                return name.local == "item" && Namespace.rssCore.contains(name.namespace)
                    && (depth == 2 || (depth == 3 && parent?.local == "channel"))
            case nil:
                return false
            }
        }

        private func isFeedTitlePosition(parent: XMLName?, depth: Int) -> Bool {
            switch format {
            case .atom: depth == 2
            case .rss, .rdf: depth == 3 && parent?.local == "channel"
            case nil: false
            }
        }

        private func startEntryChild(_ name: XMLName, attributes: [String: String], depth: Int, base: URL?) {
            let atomType = TextType(atomType: attributes["type"])
            let field: Field
            var type = TextType.html
            if Namespace.atom.contains(name.namespace) {
                switch name.local {
                case "id": field = .id
                case "title": field = .title; type = atomType
                case "summary": field = .description; type = atomType
                case "content":
                    guard attributes["src"] == nil else { return }
                    field = .content
                    type = atomType
                case "published", "issued": field = .published
                case "updated", "modified": field = .updated
                case "link":
                    noteAtomLink(attributes, base: base)
                    return
                default: return
                }
            } else if Namespace.rssCore.contains(name.namespace) {
                switch name.local {
                case "guid":
                    field = .id
                    draft.guidIsPermaLink = attributes["isPermaLink"]?.lowercased() != "false"
                case "link": field = .link
                case "title": field = .title
                case "description": field = .description
                case "pubDate": field = .published
                default: return
                }
            } else if name.namespace == Namespace.content, name.local == "encoded" {
                field = .content
            } else if name.namespace == Namespace.dublinCore, name.local == "date" {
                field = .dcDate
            } else if name.namespace == Namespace.dublinCoreTerms, name.local == "modified" {
                field = .updated
            } else {
                return
            }
            capture = Capture(field: field, depth: depth, type: type,
                              buffer: BoundedText(limit: limits.maxFieldBytes))
        }

        /// Keeps the first `rel="alternate"` (or rel-less) link, preferring HTML ones;
        /// self, edit, enclosure, replies and the like are not the article.
        private func noteAtomLink(_ attributes: [String: String], base: URL?) {
            guard let href = attributes["href"]?.trimmingCharacters(in: .whitespacesAndNewlines),
                  !href.isEmpty else { return }
            let rel = attributes["rel"]?.lowercased() ?? "alternate"
            guard rel == "alternate" || rel == "http://www.iana.org/assignments/relation/alternate" else { return }
            let type = attributes["type"]?.lowercased()
            let preferred = type == nil || type == "text/html" || type == "application/xhtml+xml"
            if draft.alternate == nil || (preferred && draft.alternate?.preferred == false) {
                draft.alternate = AlternateLink(href: resolve(href, against: base), preferred: preferred)
            }
        }

        // MARK: Entries

        private func finishEntry() {
            let values = draft.values
            func plain(_ field: Field) -> String? {
                guard let (raw, type) = values[field] else { return nil }
                let text = type.plainText(raw)
                return text.isEmpty ? nil : text
            }
            func trimmed(_ field: Field) -> String? {
                guard let raw = values[field]?.text.trimmingCharacters(in: .whitespacesAndNewlines),
                      !raw.isEmpty else { return nil }
                return raw
            }

            let title = plain(.title)
            let guid = trimmed(.id)
            var link = trimmed(.link).map { resolve($0, against: draft.base) } ?? draft.alternate?.href
            if link == nil, let guid, draft.guidIsPermaLink, isWebAddress(guid) { link = guid }

            let summarySource = plain(.description) ?? plain(.content)
            let summary = summarySource.map { HTMLText.summary($0) }.flatMap { $0.isEmpty ? nil : $0 }

            let published = date(trimmed(.published)) ?? date(trimmed(.dcDate))
            let updated = date(trimmed(.updated))

            let about = draft.about?.trimmingCharacters(in: .whitespacesAndNewlines)
            let id: String
            if let guid {
                id = guid
            } else if let about, !about.isEmpty {
                id = about
            } else if let link {
                id = link
            } else if let title {
                tally.note(one: "entry had no id or link, so one was made from its title and date",
                           many: "entries had no id or link, so one was made from their title and date")
                id = (published ?? updated).map { "\(title)|\(FeedDate.iso8601($0))" } ?? title
            } else {
                tally.note(one: "entry had no id, link or title and was skipped",
                           many: "entries had no id, link or title and were skipped")
                return
            }
            entries.append(FeedEntry(id: id, link: link, title: title, summary: summary,
                                     published: published, updated: updated))
        }

        private func date(_ text: String?) -> Date? {
            guard let text else { return nil }
            guard let date = FeedDate.parse(text) else {
                tally.note(one: "date could not be read", many: "dates could not be read", example: text)
                return nil
            }
            return date
        }

        private func isWebAddress(_ text: String) -> Bool {
            let lower = text.lowercased()
            return lower.hasPrefix("http://") || lower.hasPrefix("https://")
        }

        private func resolve(_ href: String, against base: URL?) -> String {
            guard base != nil, let url = resolveURL(href, against: base) else { return href }
            return url.absoluteString
        }

        private func resolveURL(_ href: String, against base: URL?) -> URL? {
            let trimmed = href.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty, let url = URL(string: trimmed, relativeTo: base) else { return nil }
            return url.absoluteURL
        }
    }
}
