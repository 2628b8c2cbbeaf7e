import Foundation
import NewsletterCore

/// A Markdown page with optional YAML front matter.
///
/// Front matter keys: `last_updated`, `lastmod` (Hugo), `last_modified_at` (Jekyll),
/// `updated`, `modified` for the marker, in that order of preference; `date` for a post's
/// publication; `title`; `description` or `summary`; `topics`, `tags` or `categories`;
/// `draft`; `url` or `permalink`. Without them, the first heading is the title, the first
/// paragraph the summary, and the visible phrase the marker.
struct MarkdownPage {
    let reader: DateReader

    static let markerKeys = ["last_updated", "lastmod", "last_modified_at", "updated", "modified"]

    func parse(_ text: [UInt8]) -> ParsedPage {
        var page = ParsedPage()
        let (matter, body, warning) = FrontMatter.split(text)
        if let warning { page.warnings.append(warning) }
        if let matter { apply(matter, to: &page) }

        let (heading, paragraph) = Self.headingAndParagraph(body, reader: reader)
        if page.title == nil { page.title = heading.flatMap(TextCleanup.title) }
        if page.summary == nil { page.summary = paragraph }
        PageParser.applyPhrase(reader, text: Array(body), to: &page)
        return page
    }

    private func apply(_ matter: FrontMatter, to page: inout ParsedPage) {
        for key in Self.markerKeys {
            guard let value = matter.fields[key]?.text else { continue }
            if let date = PageParser.structuredDate(value, field: "front matter \(key)", reader: reader, warnings: &page.warnings) {
                page.lastUpdated = date
                page.lastUpdatedSource = "front matter \(key)"
                break
            }
        }
        if let value = matter.fields["date"]?.text {
            page.date = PageParser.structuredDate(value, field: "front matter date", reader: reader, warnings: &page.warnings)
        }
        page.title = matter.fields["title"]?.text.flatMap(TextCleanup.title)
        page.summary = (matter.fields["description"] ?? matter.fields["summary"])?.text.flatMap(TextCleanup.summary)
        for key in ["topics", "tags", "categories"] {
            if let value = matter.fields[key] {
                page.topics = value.items.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                break
            }
        }
        if let draft = matter.fields["draft"]?.text {
            switch draft.lowercased() {
            case "true", "yes", "on": page.draft = true
            case "false", "no", "off", "": page.draft = false
            default: page.warnings.append("front matter draft \(draft.quotedText) is not true or false; taken as not a draft")
            }
        }
        if let url = (matter.fields["url"] ?? matter.fields["permalink"])?.text?.trimmingCharacters(in: .whitespaces), !url.isEmpty {
            // The address goes into emails as a link: one that a space or line break would cut is not used.
            if url.hasLineBreakOrControl || url.unicodeScalars.contains(where: \.properties.isWhitespace) {
                page.warnings.append("front matter url \(url.quotedText) holds a space, a line break or a control character; the file's own address is used")
            } else {
                page.urlOverride = url
            }
        }
    }

    /// The first heading and the first plain paragraph of a Markdown body, as plain text,
    /// with the summary made from the paragraph (see `SummaryText`).
    static func headingAndParagraph(_ body: ArraySlice<UInt8>, reader: DateReader) -> (String?, String?) {
        let found = firstBlocks(body, reader: reader)
        return (found.heading, found.paragraph.flatMap { SummaryText.make(paragraph: $0, items: found.items, next: found.next) })
    }

    /// The first heading; the first plain paragraph; when that paragraph ends with a colon,
    /// the items of the list right after it and the paragraph after that.
    static func firstBlocks(_ body: ArraySlice<UInt8>, reader: DateReader) -> (heading: String?, paragraph: String?, items: [String], next: String?) {
        var heading: String?
        var paragraph: String?
        var current: [String] = []
        var inFence = false
        var previous: String?
        // After a paragraph ending with ":": the list it introduces, then the next paragraph.
        var wantsList = false
        var items: [String] = []
        var inItem = false
        var next: String?

        func finishParagraph() {
            defer { current = [] }
            guard !current.isEmpty else { return }
            let text = TextCleanup.collapse(current.map(plain).joined(separator: " "))
            guard !text.isEmpty, text != heading, !TextCleanup.isMarkerLine(text, reader: reader) else { return }
            if paragraph == nil {
                paragraph = text
                wantsList = text.hasSuffix(":")
            } else if wantsList, next == nil {
                next = text
            }
        }

        for rawLine in TextCleanup.lines(Array(body)) {
            let line = rawLine.trimmingSpaces
            if line.hasPrefix("```") || line.hasPrefix("~~~") {
                finishParagraph()
                inFence.toggle()
                previous = nil
                inItem = false
                continue
            }
            if inFence { continue }
            if line.isEmpty {
                finishParagraph()
                previous = nil
                inItem = false
                continue
            }
            if let item = listItem(line) {
                finishParagraph()
                previous = nil
                inItem = wantsList && next == nil && items.count <= SummaryText.maxItems
                if inItem { items.append(plain(item)) }
                continue
            }
            if inItem {
                // A line straight after an item continues it.
                items[items.count - 1] += " " + plain(line)
                continue
            }
            if current.isEmpty, rawLine.hasPrefix("  "), !items.isEmpty {
                // An item's own further paragraph.
                continue
            }
            if line.hasPrefix("#") {
                finishParagraph()
                let text = line.drop(while: { $0 == "#" })
                if heading == nil, text.first == " " || text.isEmpty {
                    heading = TextCleanup.collapse(plain(String(text).trimmingCharacters(in: CharacterSet(charactersIn: " #"))))
                    if heading?.isEmpty == true { heading = nil }
                }
                // A "---" under a heading is a rule, not the underline of the text above it.
                previous = nil
                continue
            }
            // Setext headings: a line of the paragraph in progress underlined with === or ---.
            if let above = previous, !current.isEmpty, line.utf8.allSatisfy({ $0 == UInt8(ascii: "=") }) || (line.utf8.count >= 2 && line.utf8.allSatisfy({ $0 == UInt8(ascii: "-") })) {
                current.removeLast()
                finishParagraph()
                if heading == nil { heading = TextCleanup.collapse(plain(above)) }
                previous = nil
                continue
            }
            let startsBlock = line.hasPrefix("<") || line.hasPrefix("![") || line.hasPrefix("|") || line.hasPrefix(">")
            if startsBlock && current.isEmpty {
                previous = nil
                continue
            }
            current.append(line)
            previous = line
            if heading != nil && paragraph != nil && (!wantsList || next != nil) { break }
        }
        finishParagraph()
        return (heading, paragraph, items, next)
    }

    /// The text of a list item line (`- `, `* `, `+ `, `1. `, `1) `), or nil.
    private static func listItem(_ line: String) -> String? {
        if line.hasPrefix("- ") || line.hasPrefix("* ") || line.hasPrefix("+ ") { return String(line.dropFirst(2)).trimmingSpaces }
        guard isOrderedItem(line) else { return nil }
        return String(line.drop(while: { $0.isASCII && $0.isNumber }).dropFirst(2)).trimmingSpaces
    }

    /// Markdown inline syntax removed: links keep their text, images and HTML tags go,
    /// emphasis and code marks go.
    static func plain(_ line: String) -> String {
        guard line.utf8.contains(where: { Self.markupBytes.contains($0) }) else { return line }
        // Collected in an array: appending slices to a String.UnicodeScalarView one by one
        // copied the whole string each time, so a line of 400 KB of "[a](" took seconds.
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(line.utf8.count)
        var chars = Array(line.unicodeScalars)
        var next = NextScalar(chars: chars)
        var index = 0
        var steps = 0
        defer { ParseWork.record(steps + next.scanned) }
        while index < chars.count {
            steps += 1
            let c = chars[index]
            switch c {
            case "\\" where index + 1 < chars.count:
                out.append(chars[index + 1])
                index += 2
                continue
            case "!" where index + 1 < chars.count && chars[index + 1] == "[":
                // An image: drop it with its target.
                if let close = next.index(of: "]", from: index + 2) {
                    index = skipTarget(chars, after: close, &next)
                    continue
                }
            case "[":
                if let close = next.index(of: "]", from: index + 1) {
                    out.append(contentsOf: chars[(index + 1)..<close])
                    index = skipTarget(chars, after: close, &next)
                    continue
                }
            case "<":
                if let close = next.index(of: ">", from: index), close > index + 1, chars[index + 1].properties.isAlphabetic || chars[index + 1] == "/" {
                    index = close + 1
                    continue
                }
            case "*", "_", "`":
                // Emphasis and code marks; an underscore inside a word stays.
                if c == "_", index > 0, index + 1 < chars.count, chars[index - 1].properties.isAlphabetic, chars[index + 1].properties.isAlphabetic {
                    break
                }
                index += 1
                continue
            default:
                break
            }
            out.append(c)
            index += 1
        }
        chars.removeAll()
        var view = String.UnicodeScalarView()
        view.append(contentsOf: out)
        return String(view)
    }

    private static let markupBytes: Set<UInt8> = Set("[]()*_`<\\!".utf8)

    /// `1. text` or `1) text`.
    private static func isOrderedItem(_ line: String) -> Bool {
        let digits = line.prefix(while: { $0.isASCII && $0.isNumber })
        guard !digits.isEmpty else { return false }
        let rest = line.dropFirst(digits.count)
        return rest.hasPrefix(". ") || rest.hasPrefix(") ")
    }

    private static func skipTarget(_ chars: [Unicode.Scalar], after close: Int, _ next: inout NextScalar) -> Int {
        var index = close + 1
        if index < chars.count, chars[index] == "(", let end = next.index(of: ")", from: index) {
            index = end + 1
        } else if index < chars.count, chars[index] == "[", let end = next.index(of: "]", from: index) {
            index = end + 1
        }
        return index
    }
}

/// Where a scalar next occurs in a line, remembering the last answer for each: a paragraph
/// of 100,000 "[" was otherwise searched to its end once per "[", in time that grew with the
/// square of its length.
struct NextScalar {
    let chars: [Unicode.Scalar]
    private var last: [Unicode.Scalar: (from: Int, found: Int?)] = [:]
    /// Scalars read by the searches (ParseWork).
    private(set) var scanned = 0

    init(chars: [Unicode.Scalar]) {
        self.chars = chars
    }

    /// The first index at or after `start` holding `scalar`.
    mutating func index(of scalar: Unicode.Scalar, from start: Int) -> Int? {
        // The first occurrence after `from` is also the first after any start up to it.
        if let known = last[scalar], known.from <= start, known.found.map({ start <= $0 }) ?? true { return known.found }
        let found = start < chars.count ? chars[start...].firstIndex(of: scalar) : nil
        scanned += max(0, (found ?? chars.count) - start)
        last[scalar] = (start, found)
        return found
    }
}
