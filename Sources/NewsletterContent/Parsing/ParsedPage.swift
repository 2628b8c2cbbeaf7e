import NewsletterCore

/// What one file says about itself, before the site gives it a URL and a topic.
public struct ParsedPage: Sendable, Equatable {
    public var title: String?
    public var summary: String?
    /// The "last updated" marker, from a structured field or the visible phrase.
    public var lastUpdated: MarkerDate?
    /// Where `lastUpdated` came from: `front matter lastmod`, `meta article:modified_time`,
    /// or the phrase as the page wrote it.
    public var lastUpdatedSource: String?
    /// A post's publication date (`date` in front matter, `article:published_time` in HTML).
    public var date: MarkerDate?
    /// Topics as written (front matter only); the site turns them into slugs.
    public var topics: [String] = []
    public var draft = false
    /// `url` or `permalink` from front matter.
    public var urlOverride: String?
    /// Problems met while reading, each one sentence naming the reason; the file is still used.
    public var warnings: [String] = []

    public init() {}
}

/// The kinds of file that hold pages, by extension.
public enum PageFormat: String, Sendable, CaseIterable {
    case markdown
    case html
    case text

    /// The format for a file name, or nil when the file is not a page.
    public init?(fileName: String) {
        guard let dot = fileName.lastIndex(of: "."), dot != fileName.startIndex else { return nil }
        switch fileName[fileName.index(after: dot)...].lowercased() {
        case "md", "markdown": self = .markdown
        case "html", "htm": self = .html
        case "txt": self = .text
        default: return nil
        }
    }
}

/// Reads a page in any of the formats.
public struct PageParser: Sendable {
    public let reader: DateReader

    public init(reader: DateReader) {
        self.reader = reader
    }

    /// Parses decoded UTF-8 text.
    public func parse(_ text: [UInt8], format: PageFormat) -> ParsedPage {
        switch format {
        case .markdown: return MarkdownPage(reader: reader).parse(text)
        case .html: return HTMLPage(reader: reader).parse(text)
        case .text: return PlainTextPage(reader: reader).parse(text)
        }
    }

    /// Sets the marker from the visible phrase when no structured field gave one.
    static func applyPhrase(_ reader: DateReader, text: [UInt8], to page: inout ParsedPage) {
        guard page.lastUpdated == nil, let found = MarkerPhrase(reader: reader).find(in: text) else { return }
        switch found {
        case .date(let date, let phrase):
            page.lastUpdated = date
            page.lastUpdatedSource = phrase
        case .impossible(let shown, let phrase):
            page.warnings.append("impossible date \(shown.quotedText) in \(phrase.quotedText); the page is treated as having no marker")
        }
    }

    /// A structured date field: a date, or a warning naming the field.
    static func structuredDate(_ value: String, field: String, reader: DateReader, warnings: inout [String]) -> MarkerDate? {
        switch reader.read(value) {
        case .date(let date, _)?:
            return date
        case .impossible(let shown, _)?:
            warnings.append("impossible date \(shown.quotedText) in \(field)")
            return nil
        case nil:
            warnings.append("\(field) \(value.quotedText) is not a date this program can read")
            return nil
        }
    }
}

extension String {
    /// In double quotes, cut to 80 characters, control characters escaped.
    var quotedText: String {
        let cut = count > 80 ? String(prefix(79)) + "…" : self
        return cut.quotedForDisplay
    }
}
