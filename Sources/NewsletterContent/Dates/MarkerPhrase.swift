/// Finds the visible "last updated" phrase in a page's text: "This information was last
/// updated on 05/05/2022", "Last updated: 5 May 2022", "Page last reviewed: 12 March 2024",
/// "Updated 3rd March 2024", "last modified 2024-03-12".
///
/// A phrase is one of the words updated, reviewed, modified or revised, then optionally `:`,
/// a dash or `on`, then a date. When a page has several, one preceded by "last" wins over a
/// bare "Updated"; among equals the last in the text wins, since sites put the marker at the
/// foot of the page.
public struct MarkerPhrase: Sendable {
    public let reader: DateReader

    public init(reader: DateReader) {
        self.reader = reader
    }

    public enum Found: Sendable, Equatable {
        case date(MarkerDate, phrase: String)
        /// The phrase was there but its date does not exist (31/02/2024).
        case impossible(String, phrase: String)
    }

    private static let keywords: [[UInt8]] = ["updated", "reviewed", "modified", "revised"].map { Array($0.utf8) }

    /// The marker in `text` (UTF-8 bytes), if any.
    public func find(in text: [UInt8]) -> Found? {
        var best: (found: Found, strong: Bool)?
        var index = 0
        let count = text.count
        var work = 0
        defer { ParseWork.record(work) }
        while index < count {
            work += 1
            // Cheap filter: every keyword starts with u, r or m.
            let byte = text[index] | 0x20
            guard byte == 0x75 || byte == 0x72 || byte == 0x6D else {  // u, r, m
                index += 1
                continue
            }
            guard let keyword = Self.keywords.first(where: { matches($0, in: text, at: index) }),
                index == 0 || !DateReader.isLetter(text[index - 1])
            else {
                index += 1
                continue
            }
            let end = index + keyword.count
            if let found = dateAfter(keyword: index, end: end, in: text, work: &work) {
                let strong = precededByLast(index, in: text)
                if best == nil || strong || best?.strong == false { best = (found, strong) }
            }
            work += end - index - 1
            index = end
        }
        return best?.found
    }

    private func matches(_ keyword: [UInt8], in text: [UInt8], at index: Int) -> Bool {
        guard index + keyword.count <= text.count else { return false }
        for offset in 0..<keyword.count where text[index + offset] | 0x20 != keyword[offset] { return false }
        return true
    }

    private func precededByLast(_ index: Int, in text: [UInt8]) -> Bool {
        var i = index - 1
        while i >= 0, text[i] == 0x20 || text[i] == 0x09 { i -= 1 }
        guard i >= 3 else { return false }
        let word = text[(i - 3)...i].map { $0 | 0x20 }
        return word == Array("last".utf8) && (i == 3 || !DateReader.isLetter(text[i - 4]))
    }

    private func dateAfter(keyword start: Int, end: Int, in text: [UInt8], work: inout Int) -> Found? {
        var cursor = DateReader.Cursor(bytes: text[end...])
        defer { work += cursor.index - end }
        guard cursor.atBoundary else { return nil }
        cursor.spaces()
        // Optional punctuation: ":", "-", "–", "—", ",".
        if cursor.take(UInt8(ascii: ":")) || cursor.take(UInt8(ascii: "-")) || cursor.take(UInt8(ascii: ",")) {
            cursor.spaces()
        } else if cursor.peek == 0xE2, cursor.index + 2 < text.count, text[cursor.index + 1] == 0x80,
            text[cursor.index + 2] == 0x93 || text[cursor.index + 2] == 0x94
        {
            cursor.index += 3
            cursor.spaces()
        }
        var afterOn = cursor
        if afterOn.word() == "on", afterOn.spaces() > 0 || afterOn.take(UInt8(ascii: ":")) {
            afterOn.spaces()
            cursor = afterOn
        }
        guard cursor.index < text.count else { return nil }
        guard let result = reader.read(prefixOf: text[cursor.index...]) else { return nil }
        var phraseStart = start
        if precededByLast(start, in: text) {
            phraseStart -= 1
            while phraseStart > 0, text[phraseStart] == 0x20 || text[phraseStart] == 0x09 { phraseStart -= 1 }
            phraseStart -= 3
        }
        switch result {
        case .date(let date, let length):
            return .date(date, phrase: String(decoding: text[phraseStart..<(cursor.index + length)], as: UTF8.self))
        case .impossible(let shown, let length):
            return .impossible(shown, phrase: String(decoding: text[phraseStart..<(cursor.index + length)], as: UTF8.self))
        }
    }
}
