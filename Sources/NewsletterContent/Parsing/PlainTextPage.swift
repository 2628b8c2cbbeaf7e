/// A `.txt` page: the title is the first non-empty line, the summary the first paragraph
/// after it (with the list it introduces, see `SummaryText`); the marker is the visible phrase.
struct PlainTextPage {
    let reader: DateReader

    /// A run of text lines, or one list item (a line starting with a bullet or a number).
    private enum Block {
        case paragraph(String)
        case item(String)
    }

    func parse(_ text: [UInt8]) -> ParsedPage {
        var page = ParsedPage()
        var blocks: [Block] = []
        var current: [String] = []
        var inItem = false
        func finish() {
            if !current.isEmpty { blocks.append(inItem ? .item(current.joined(separator: " ")) : .paragraph(current.joined(separator: " "))) }
            current = []
            inItem = false
        }
        for line in TextCleanup.lines(text) {
            if TextCleanup.isBlank(line) {
                finish()
            } else if page.title == nil {
                page.title = TextCleanup.title(line)
            } else if let item = Self.listItem(line) {
                finish()
                inItem = true
                current = [item]
            } else {
                current.append(line)
            }
        }
        finish()
        // Pages pasted from the web often repeat the title as their first heading.
        let usable = { (text: String) in !text.isEmpty && text != page.title && !TextCleanup.isMarkerLine(text, reader: reader) }
        if let first = blocks.firstIndex(where: { if case .paragraph(let text) = $0 { return usable(TextCleanup.collapse(text)) } else { return false } }),
            case .paragraph(let paragraph) = blocks[first]
        {
            var items: [String] = []
            var next: String?
            for block in blocks[(first + 1)...] {
                switch block {
                case .item(let text) where next == nil: items.append(text)
                case .item: continue
                case .paragraph(let text):
                    let collapsed = TextCleanup.collapse(text)
                    if usable(collapsed) { next = collapsed }
                }
                if next != nil || items.count > SummaryText.maxItems { break }
            }
            page.summary = SummaryText.make(paragraph: paragraph, items: items, next: next)
        }
        PageParser.applyPhrase(reader, text: text, to: &page)
        return page
    }

    /// The text of a list item line ("• text", "- text", "* text", "1. text", "1) text"),
    /// or nil.
    static func listItem(_ line: String) -> String? {
        let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
        guard let first = trimmed.first else { return nil }
        if ["•", "-", "*", "–", "·", "▪", "◦", "○", "+"].contains(first) {
            let rest = trimmed.dropFirst()
            guard rest.first == " " || rest.first == "\t" else { return nil }
            return String(rest.drop(while: { $0 == " " || $0 == "\t" }))
        }
        let digits = trimmed.prefix(while: { $0.isASCII && $0.isNumber })
        guard !digits.isEmpty, digits.count <= 3 else { return nil }
        let rest = trimmed.dropFirst(digits.count)
        guard rest.hasPrefix(". ") || rest.hasPrefix(") ") else { return nil }
        return String(rest.dropFirst(2).drop(while: { $0 == " " || $0 == "\t" }))
    }
}
