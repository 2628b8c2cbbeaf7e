import Foundation

extension String {
    /// The text without surrounding spaces and tabs. Works on the UTF-8 bytes, since
    /// Foundation's `trimmingCharacters` cost 15% of a 100,000-row import; other Unicode
    /// spaces at the ends take the slower general path.
    public var trimmingSpaces: String {
        let bytes = utf8
        guard let first = bytes.first, let last = bytes.last else { return "" }
        if first >= 0x80 || last >= 0x80 { return trimmingCharacters(in: .whitespaces) }
        guard first == 0x20 || first == 0x09 || last == 0x20 || last == 0x09 else { return self }
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start = bytes.index(after: start) }
        while end > start {
            let before = bytes.index(before: end)
            guard bytes[before] == 0x20 || bytes[before] == 0x09 else { break }
            end = before
        }
        return String(self[start..<end])
    }
}

extension Substring {
    public var trimmingSpaces: String { String(self).trimmingSpaces }
}
