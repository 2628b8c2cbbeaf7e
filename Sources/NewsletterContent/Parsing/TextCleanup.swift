/// Small text helpers shared by the page formats.
enum TextCleanup {
    static let summaryLimit = 300
    static let titleLimit = 200

    /// Runs of white space (including no-break and other Unicode spaces, and line breaks) as
    /// one space, control characters dropped, trimmed. Works on the UTF-8 bytes: Unicode
    /// property look-ups per character cost a third of a cold scan.
    static func collapse(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        text.utf8.withContiguousStorageIfAvailable { bytes in
            collapse(bytes, into: &out, pendingSpace: &pendingSpace)
        } ?? {
            let bytes = Array(text.utf8)
            bytes.withUnsafeBufferPointer { collapse($0, into: &out, pendingSpace: &pendingSpace) }
        }()
        return String(decoding: out, as: UTF8.self)
    }

    private static func collapse(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8], pendingSpace: inout Bool) {
        var index = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            var width = 1
            var space = false
            var control = false
            if byte < 0x80 {
                space = byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
                control = !space && (byte < 0x20 || byte == 0x7F)
            } else if byte == 0xC2, index + 1 < count, bytes[index + 1] <= 0xA0 {
                // U+0080-U+009F are controls, U+00A0 the no-break space.
                width = 2
                space = bytes[index + 1] == 0xA0
                control = !space
            } else if byte == 0xE2, index + 2 < count, bytes[index + 1] == 0x80 {
                let third = bytes[index + 2]
                if third <= 0x8A || third == 0xA8 || third == 0xA9 || third == 0xAF {
                    width = 3
                    space = true
                }
            } else if byte == 0xE3, index + 2 < count, bytes[index + 1] == 0x80, bytes[index + 2] == 0x80 {
                width = 3
                space = true
            }
            if space {
                pendingSpace = !out.isEmpty
            } else if !control {
                if pendingSpace { out.append(0x20) }
                pendingSpace = false
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index..<(index + width)]))
            }
            index += width
        }
    }

    /// Collapsed and cut at a word boundary to `limit` characters, with an ellipsis; nil when empty.
    static func clip(_ text: String, limit: Int) -> String? {
        let collapsed = collapse(text)
        guard !collapsed.isEmpty else { return nil }
        guard collapsed.count > limit else { return collapsed }
        var cut = String(collapsed.prefix(limit - 1))
        if let space = cut.lastIndex(of: " "), cut.distance(from: cut.startIndex, to: space) > limit / 2 {
            cut = String(cut[..<space])
        }
        while let last = cut.last, last == "," || last == ";" || last == ":" || last == " " { cut.removeLast() }
        return cut + "…"
    }

    static func title(_ text: String) -> String? { clip(text, limit: titleLimit) }
    static func summary(_ text: String) -> String? { SummaryText.make(paragraph: text, items: [], next: nil) }

    /// Whether a paragraph is only the page's "last updated" line, which makes a poor summary.
    static func isMarkerLine(_ text: String, reader: DateReader) -> Bool {
        text.utf8.count < 120 && MarkerPhrase(reader: reader).find(in: Array(text.utf8)) != nil
    }

    /// Lines of UTF-8 text, without their CR or LF.
    static func lines(_ text: [UInt8]) -> [String] {
        var lines: [String] = []
        var start = 0
        var index = 0
        while index < text.count {
            let byte = text[index]
            if byte == 0x0A || byte == 0x0D {
                lines.append(String(decoding: text[start..<index], as: UTF8.self))
                if byte == 0x0D, index + 1 < text.count, text[index + 1] == 0x0A { index += 1 }
                start = index + 1
            }
            index += 1
        }
        lines.append(String(decoding: text[start..<text.count], as: UTF8.self))
        return lines
    }

    /// Whether a line holds nothing but spaces and tabs.
    static func isBlank(_ line: String) -> Bool {
        line.utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 }
    }
}
