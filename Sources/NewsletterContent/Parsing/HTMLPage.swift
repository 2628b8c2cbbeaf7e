/// An HTML page, read with a small tolerant tokenizer (pages written by hand or exported
/// from a CMS are rarely valid HTML).
///
/// The marker comes from `<meta property="article:modified_time">`,
/// `<meta name="dcterms.modified">` or `<meta name="last-modified">` (also as `http-equiv`),
/// else from the visible phrase; the title from `<title>` or the first `<h1>`; the summary
/// from `<meta name="description">` or the first paragraph; a post's date from
/// `<meta property="article:published_time">`.
struct HTMLPage {
    let reader: DateReader

    static let markerMeta = ["article:modified_time", "dcterms.modified", "last-modified"]

    private enum Capture {
        case none, title, heading, paragraph, item
    }

    func parse(_ text: [UInt8]) -> ParsedPage {
        var page = ParsedPage()
        var meta: [String: String] = [:]
        var visible: [UInt8] = []
        visible.reserveCapacity(text.count / 2)
        var title: [UInt8]?
        var heading: [UInt8]?
        var paragraph: String?
        // After a first paragraph ending with ":": the list it introduces and the paragraph
        // after that (see `SummaryText`).
        var wantsList = false
        var listDepth = 0
        var items: [String] = []
        var next: String?
        var buffer: [UInt8] = []
        var capture = Capture.none

        func endCapture() {
            switch capture {
            case .title: if title == nil { title = buffer }
            case .heading: if heading == nil { heading = buffer }
            case .paragraph:
                let text = TextCleanup.collapse(HTMLEntities.decode(buffer))
                if !text.isEmpty, !TextCleanup.isMarkerLine(text, reader: reader) {
                    if paragraph == nil {
                        paragraph = text
                        wantsList = text.hasSuffix(":")
                    } else if wantsList, next == nil {
                        next = text
                    }
                }
            case .item:
                let text = TextCleanup.collapse(HTMLEntities.decode(buffer))
                if !text.isEmpty, items.count <= SummaryText.maxItems { items.append(text) }
            case .none: break
            }
            capture = .none
            buffer.removeAll(keepingCapacity: true)
        }

        var index = 0
        let count = text.count
        // Bytes examined: the loop's own, and those its searches read ahead (ParseWork).
        var work = 0
        defer { ParseWork.record(work) }
        while index < count {
            work += 1
            let byte = text[index]
            guard byte == UInt8(ascii: "<") else {
                if capture != .title { visible.append(byte) }
                if capture != .none { buffer.append(byte) }
                index += 1
                continue
            }
            if Self.hasPrefix(text, at: index, "<!--") {
                index = Self.find(text, "-->", from: index + 4, work: &work).map { $0 + 3 } ?? count
                continue
            }
            guard let tag = Self.tag(text, at: index, work: &work) else {
                // A lone "<" in text.
                if capture != .title { visible.append(byte) }
                if capture != .none { buffer.append(byte) }
                index += 1
                continue
            }
            index = tag.end
            if wantsList, next == nil {
                switch (tag.name, tag.closing) {
                case ("ul", false), ("ol", false):
                    if listDepth == 0 { endCapture() }
                    listDepth += 1
                case ("ul", true), ("ol", true):
                    guard listDepth > 0 else { break }
                    listDepth -= 1
                    if listDepth == 0 { endCapture() }
                case ("li", _) where listDepth == 1:
                    endCapture()
                    if !tag.closing { capture = .item }
                default:
                    break
                }
            }
            switch (tag.name, tag.closing) {
            case ("script", false), ("style", false), ("template", false), ("svg", false):
                index = Self.findCaseInsensitive(text, "</\(tag.name)", from: index, work: &work).flatMap { Self.find(text, ">", from: $0, work: &work) }
                    .map { $0 + 1 } ?? count
            case ("meta", _):
                let key = (tag.attributes["property"] ?? tag.attributes["name"] ?? tag.attributes["http-equiv"])?.lowercased()
                if let key, let content = tag.attributes["content"], meta[key] == nil { meta[key] = content }
            case ("title", false):
                endCapture()
                if title == nil { capture = .title }
            case ("h1", false):
                endCapture()
                if heading == nil { capture = .heading }
            case ("p", _) where listDepth > 0:
                // A paragraph inside a list item is the item's text.
                break
            case ("p", false):
                endCapture()
                if paragraph == nil || (wantsList && next == nil) { capture = .paragraph }
            case ("title", true), ("h1", true), ("p", true):
                endCapture()
            default:
                if Self.breaksText.contains(tag.name) {
                    if capture == .paragraph && ["div", "section", "article", "table", "ul", "ol"].contains(tag.name) { endCapture() }
                    visible.append(0x0A)
                    if capture != .none { buffer.append(0x20) }
                } else if capture != .none {
                    // Inline tags: words on either side stay apart only if the source spaced them.
                }
            }
        }
        endCapture()

        for key in Self.markerMeta {
            guard let value = meta[key] else { continue }
            if let date = PageParser.structuredDate(value, field: "<meta \(key)>", reader: reader, warnings: &page.warnings) {
                page.lastUpdated = date
                page.lastUpdatedSource = "meta \(key)"
                break
            }
        }
        if let published = meta["article:published_time"] {
            page.date = PageParser.structuredDate(published, field: "<meta article:published_time>", reader: reader, warnings: &page.warnings)
        }
        let titleText = title.map { TextCleanup.collapse(HTMLEntities.decode($0)) }.flatMap { $0.isEmpty ? nil : $0 }
        let headingText = heading.map { TextCleanup.collapse(HTMLEntities.decode($0)) }.flatMap { $0.isEmpty ? nil : $0 }
        page.title = (titleText ?? headingText).flatMap(TextCleanup.title)
        if let description = meta["description"] {
            page.summary = TextCleanup.summary(HTMLEntities.decode(description))
        } else if let paragraph {
            page.summary = SummaryText.make(paragraph: paragraph, items: items, next: next)
        }
        PageParser.applyPhrase(reader, text: Array(HTMLEntities.decode(visible).utf8), to: &page)
        return page
    }

    /// Tags after which text is a new line of the page.
    static let breaksText: Set<String> = [
        "br", "div", "p", "li", "ul", "ol", "tr", "td", "th", "table", "section", "article", "header", "footer", "main", "nav",
        "aside", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "blockquote", "dd", "dt", "dl", "figure", "figcaption", "body", "head",
    ]

    struct Tag {
        var name: String
        var closing: Bool
        var attributes: [String: String]
        var end: Int
    }

    /// Which attributes `tag` keeps. Decoding every value would cost the file scan dearly, and
    /// files need only `<meta>`'s; a fetched page also needs `class`, `id` and `role` on any
    /// tag, to tell its main content from its navigation.
    struct KeptAttributes: Sendable {
        /// Tags whose every attribute is kept.
        var tags: Set<String>
        /// Attributes kept on any tag.
        var names: Set<String>

        static let meta = KeptAttributes(tags: ["meta"], names: [])
    }

    /// The tag starting at `index` (which holds "<"), or nil when it is not a tag. A tag that
    /// is still open at the end of the text takes the rest of it, as in an HTML tokenizer: read
    /// again from the next "<", a page of "<a<a<a..." took time in the square of its length.
    /// `work` grows by the bytes read, to the furthest one.
    static func tag(_ text: [UInt8], at index: Int, work: inout Int, keeping kept: KeptAttributes = .meta) -> Tag? {
        let unterminated = Tag(name: "", closing: false, attributes: [:], end: text.count)
        var i = index + 1
        var furthest = i
        defer { work += max(i, furthest) - index }
        let count = text.count
        var closing = false
        if i < count, text[i] == UInt8(ascii: "/") {
            closing = true
            i += 1
        }
        if i < count, text[i] == UInt8(ascii: "!") || text[i] == UInt8(ascii: "?") {
            guard let end = find(text, ">", from: i, work: &work) else { return unterminated }
            return Tag(name: "!", closing: false, attributes: [:], end: end + 1)
        }
        let nameStart = i
        while i < count, DateReader.isLetter(text[i]) || DateReader.isDigit(text[i]) || text[i] == UInt8(ascii: "-") { i += 1 }
        guard i > nameStart, DateReader.isLetter(text[nameStart]) else { return nil }
        let name = String(decoding: text[nameStart..<i].map { $0 | 0x20 }, as: UTF8.self)
        var attributes: [String: String] = [:]
        let keepsAll = kept.tags.contains(name)
        while i < count {
            let byte = text[i]
            if byte == UInt8(ascii: ">") { return Tag(name: name, closing: closing, attributes: attributes, end: i + 1) }
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == UInt8(ascii: "/") {
                i += 1
                continue
            }
            // An attribute: name, optionally = and a quoted or bare value.
            let keyStart = i
            while i < count, ![0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: "="), UInt8(ascii: ">"), UInt8(ascii: "/")].contains(text[i]) { i += 1 }
            let key = String(decoding: text[keyStart..<i].map { DateReader.isLetter($0) ? $0 | 0x20 : $0 }, as: UTF8.self)
            let wantsValue = keepsAll || (!kept.names.isEmpty && kept.names.contains(key))
            while i < count, text[i] == 0x20 || text[i] == 0x09 || text[i] == 0x0A || text[i] == 0x0D { i += 1 }
            var value = ""
            if i < count, text[i] == UInt8(ascii: "=") {
                i += 1
                while i < count, text[i] == 0x20 || text[i] == 0x09 || text[i] == 0x0A || text[i] == 0x0D { i += 1 }
                if i < count, text[i] == UInt8(ascii: "\"") || text[i] == UInt8(ascii: "'") {
                    let quote = text[i]
                    let valueStart = i + 1
                    guard let close = text[valueStart...].firstIndex(of: quote) else {
                        furthest = count
                        return unterminated
                    }
                    if wantsValue { value = HTMLEntities.decode(text[valueStart..<close]) }
                    i = close + 1
                } else {
                    let valueStart = i
                    while i < count, ![0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: ">")].contains(text[i]) { i += 1 }
                    if wantsValue { value = HTMLEntities.decode(text[valueStart..<i]) }
                }
            }
            if wantsValue, !key.isEmpty, attributes[key] == nil { attributes[key] = value }
        }
        return unterminated
    }

    static func hasPrefix(_ text: [UInt8], at index: Int, _ prefix: String) -> Bool {
        let bytes = Array(prefix.utf8)
        guard index + bytes.count <= text.count else { return false }
        return text[index..<(index + bytes.count)].elementsEqual(bytes)
    }

    /// `work` grows by the positions tried.
    static func find(_ text: [UInt8], _ needle: String, from start: Int, work: inout Int) -> Int? {
        let bytes = Array(needle.utf8)
        guard let first = bytes.first, start < text.count else { return nil }
        var index = start
        defer { work += index - start }
        while index + bytes.count <= text.count {
            if text[index] == first && text[index..<(index + bytes.count)].elementsEqual(bytes) { return index }
            index += 1
        }
        return nil
    }

    static func findCaseInsensitive(_ text: [UInt8], _ needle: String, from start: Int, work: inout Int) -> Int? {
        let bytes = Array(needle.lowercased().utf8)
        guard start < text.count else { return nil }
        var index = start
        defer { work += index - start }
        while index + bytes.count <= text.count {
            var matched = true
            for offset in 0..<bytes.count where (DateReader.isLetter(text[index + offset]) ? text[index + offset] | 0x20 : text[index + offset]) != bytes[offset] {
                matched = false
                break
            }
            if matched { return index }
            index += 1
        }
        return nil
    }
}
