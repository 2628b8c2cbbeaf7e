import NewsletterCore

/// One body part of an edition, quoted-printable encoded ahead of time wherever it does not
/// vary: lines without recipient placeholders are encoded once per edition; only lines
/// holding placeholders are filled and encoded per message.
///
/// Quoted-printable restarts at every line break, so encoding line by line gives exactly the
/// bytes that encoding the whole filled-in text would.
struct PreparedPart: Sendable {
    enum Segment: Sendable {
        /// Encoded static lines, each ending in CRLF.
        case encoded([UInt8])
        /// A line with placeholders, without its line end.
        case dynamic(String)
    }

    let segments: [Segment]

    /// `escape` is applied to each filled-in value (HTML escaping for HTML parts).
    init(_ text: String) {
        var segments: [Segment] = []
        var pending: [UInt8] = []
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        // A part always ends with a line break; do not add an empty line after the last one.
        if lines.last?.isEmpty == true { lines.removeLast() }
        for var line in lines {
            if line.hasSuffix("\r") { line = line.dropLast() }
            if RecipientSlot.contains(in: line) {
                if !pending.isEmpty { segments.append(.encoded(pending)) }
                pending = []
                segments.append(.dynamic(String(line)))
            } else {
                QuotedPrintable.encode(line.utf8, into: &pending)
                pending.append(contentsOf: [0x0D, 0x0A])
            }
        }
        if !pending.isEmpty { segments.append(.encoded(pending)) }
        self.segments = segments
    }

    func write(into out: inout [UInt8], value: (RecipientSlot) -> String) {
        for segment in segments {
            switch segment {
            case .encoded(let bytes):
                out.append(contentsOf: bytes)
            case .dynamic(let line):
                QuotedPrintable.encode(utf8: RecipientSlot.fill(line[...], value), into: &out)
                out.append(contentsOf: [0x0D, 0x0A])
            }
        }
    }
}

enum HTMLEscape {
    static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
