/// Small text helpers shared by the page formats.
enum TextCleanup {
    static let summaryLimit = 300
    static let titleLimit = 200

    /// Runs of white space (including no-break spaces and line breaks) as one space, trimmed.
    static func collapse(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            if scalar.properties.isWhitespace || scalar == "\u{00A0}" {
                pendingSpace = !out.isEmpty
            } else if scalar.properties.generalCategory == .control {
                continue
            } else {
                if pendingSpace { out.unicodeScalars.append(" ") }
                pendingSpace = false
                out.unicodeScalars.append(scalar)
            }
        }
        return out
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
    static func summary(_ text: String) -> String? { clip(text, limit: summaryLimit) }

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
