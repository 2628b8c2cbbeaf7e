/// A `.txt` page: the title is the first non-empty line, the summary the first paragraph
/// after it; the marker is the visible phrase.
struct PlainTextPage {
    let reader: DateReader

    func parse(_ text: [UInt8]) -> ParsedPage {
        var page = ParsedPage()
        var paragraphs: [String] = []
        var current: [String] = []
        for line in TextCleanup.lines(text) {
            if TextCleanup.isBlank(line) {
                if !current.isEmpty { paragraphs.append(current.joined(separator: " ")) }
                current = []
            } else if page.title == nil {
                page.title = TextCleanup.title(line)
            } else {
                current.append(line)
            }
        }
        if !current.isEmpty { paragraphs.append(current.joined(separator: " ")) }
        // Pages pasted from the web often repeat the title as their first heading.
        let summary = paragraphs.lazy.map { TextCleanup.collapse($0) }
            .first { !$0.isEmpty && $0 != page.title && !TextCleanup.isMarkerLine($0, reader: reader) }
        page.summary = summary.flatMap(TextCleanup.summary)
        PageParser.applyPhrase(reader, text: text, to: &page)
        return page
    }
}
