import Foundation

/// One `<url>` of a sitemap, or one `<sitemap>` of a sitemap index.
struct SitemapEntry: Equatable, Sendable {
    /// The `<loc>` with surrounding whitespace removed and XML entities decoded.
    var loc: String
    /// The `<lastmod>` when it could be read; sites often omit or garble it.
    var lastmod: Date?
    /// The `<lastmod>` exactly as written (trimmed), kept even when it could not be read.
    var lastmodText: String?
}

/// A parsed sitemaps.org document.
///
/// Only `loc` and `lastmod` are kept: `changefreq` and `priority` are ignored by search
/// engines and by us, and extension elements (`image:`, `news:`, `video:`,
/// `xhtml:link` alternates) are skipped because they are not pages of the site.
struct SitemapDocument: Equatable, Sendable {
    enum Content: Equatable, Sendable {
        /// A `<urlset>`: the pages of the site.
        case urls([SitemapEntry])
        /// A `<sitemapindex>`: further sitemaps to fetch. Their `lastmod` is kept so
        /// a child whose date has not moved need not be fetched again.
        case index([SitemapEntry])
    }

    var content: Content
    /// Problems that did not stop the document being read, one line each, in plain English.
    var warnings: [String]

    /// The entries whichever kind of document this is.
    var entries: [SitemapEntry] {
        switch content {
        case .urls(let entries), .index(let entries): entries
        }
    }

    /// The child sitemap addresses when this is an index, else empty.
    var childSitemaps: [String] {
        if case .index(let entries) = content { return entries.map(\.loc) }
        return []
    }

    /// Reads a sitemap or sitemap index, gzip-compressed or not.
    ///
    /// Entries past `limits.maxEntries` are dropped with a warning rather than failing
    /// the document: the first 50,000 URLs of an oversized sitemap are still worth
    /// watching. Entries without a `<loc>` are skipped with a warning.
    static func parse(_ bytes: [UInt8], limits: WebDocumentLimits = .init()) throws(WebDocumentError) -> SitemapDocument {
        let xml = try XMLInput.decompressed(bytes, limits: limits)
        let builder = Builder(limits: limits)
        let notes: [String]
        switch XMLScan.run(xml, handler: builder) {
        case .success(let value):
            notes = value
        case .failure(.rejected(.empty)):
            throw .notASitemap("the file is empty")
        case .failure(.rejected(.html(let title))):
            throw .notASitemap(title.map { "the server sent an HTML page titled \"\($0)\"" }
                ?? "the server sent an HTML page")
        case .failure(.rejected(.notMarkup(let preview))):
            throw .notASitemap("the content is not XML; it begins \"\(preview)\"")
        case .failure(.malformed(let detail)):
            if let rejection = builder.rejection { throw .notASitemap(rejection) }
            throw .invalidXML(detail)
        }
        if let rejection = builder.rejection { throw .notASitemap(rejection) }
        guard let kind = builder.kind else { throw .notASitemap("the document has no root element") }

        var tally = builder.tally
        for note in notes { tally.add(note) }
        let content: Content = kind == .urlset ? .urls(builder.entries) : .index(builder.entries)
        return SitemapDocument(content: content, warnings: tally.messages)
    }

    /// Collects entries from the event stream. Depth is tracked so that extension
    /// elements such as `<image:image><image:loc>` can never be mistaken for a page.
    private final class Builder: XMLScanHandler {
        enum Kind { case urlset, sitemapindex }
        enum Field { case loc, lastmod }

        let limits: WebDocumentLimits
        var kind: Kind?
        var rejection: String?
        var entries: [SitemapEntry] = []
        var tally = WarningTally()

        private var depth = 0
        private var rootNamespace = ""
        private var entryNamespace = ""
        private var inEntry = false
        private var field: Field?
        private var buffer: BoundedText
        private var loc: String?
        private var lastmodText: String?

        init(limits: WebDocumentLimits) {
            self.limits = limits
            self.buffer = BoundedText(limit: limits.maxFieldBytes)
        }

        func startElement(_ name: XMLName, attributes: [String: String]) -> Bool {
            depth += 1
            switch depth {
            case 1:
                switch name.local {
                case "urlset": kind = .urlset
                case "sitemapindex": kind = .sitemapindex
                default:
                    rejection = "its root element is <\(name.local)>, not <urlset> or <sitemapindex>"
                    return false
                }
                rootNamespace = name.namespace
            case 2:
                // Local names only: some generators prefix the root but not its children.
                let expected = kind == .urlset ? "url" : "sitemap"
                guard name.local == expected else { return true }
                if entries.count >= limits.maxEntries {
                    tally.add("the sitemap has more than \(limits.maxEntries) entries; only the first \(limits.maxEntries) were kept")
                    return false
                }
                inEntry = true
                entryNamespace = name.namespace
                loc = nil
                lastmodText = nil
            case 3 where inEntry && isSitemapNamespace(name.namespace):
                switch name.local {
                case "loc": field = .loc
                case "lastmod": field = .lastmod
                default: field = nil
                }
                buffer = BoundedText(limit: limits.maxFieldBytes)
            default:
                break
            }
            return true
        }

        func endElement(_ name: XMLName) {
            defer { depth -= 1 }
            if depth == 3, let current = field {
                field = nil
                let text = buffer.value.trimmingCharacters(in: .whitespacesAndNewlines)
                if buffer.truncated {
                    tally.note(one: "field was longer than \(limits.maxFieldBytes) bytes and was cut",
                               many: "fields were longer than \(limits.maxFieldBytes) bytes and were cut",
                               example: String(text.prefix(60)))
                }
                switch current {
                case .loc: loc = text
                case .lastmod: lastmodText = text.isEmpty ? nil : text
                }
            } else if depth == 2, inEntry {
                inEntry = false
                finishEntry()
            }
        }

        /// Extension namespaces (image:, video:, news:, xhtml:) have their own `loc`
        /// elements; only the sitemap's own `loc` and `lastmod` count.
        private func isSitemapNamespace(_ namespace: String) -> Bool {
            namespace == entryNamespace || namespace == rootNamespace || namespace.isEmpty
                || namespace.hasPrefix("http://www.sitemaps.org/schemas/sitemap/")
        }

        func text(_ text: String) {
            if field != nil { buffer.append(text) }
        }

        private func finishEntry() {
            guard let loc, !loc.isEmpty else {
                let element = kind == .urlset ? "<url>" : "<sitemap>"
                tally.note(one: "\(element) entry had no <loc> and was skipped",
                           many: "\(element) entries had no <loc> and were skipped")
                return
            }
            var lastmod: Date?
            if let lastmodText {
                lastmod = FeedDate.parse(lastmodText)
                if lastmod == nil {
                    tally.note(one: "lastmod value could not be read", many: "lastmod values could not be read",
                               example: lastmodText)
                }
            }
            entries.append(SitemapEntry(loc: loc, lastmod: lastmod, lastmodText: lastmodText))
        }
    }
}
