/// HTML character references: the named ones carers' pages use, and numeric ones.
enum HTMLEntities {
    static func decode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        let text = String(decoding: bytes, as: UTF8.self)
        return decode(text)
    }

    static func decode(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "&")) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let after = rest[rest.index(after: amp)...]
            if let semi = after.prefix(12).firstIndex(of: ";"), let decoded = character(String(after[..<semi])) {
                out.unicodeScalars.append(decoded)
                rest = after[after.index(after: semi)...]
            } else {
                out += "&"
                rest = after
            }
        }
        out += rest
        return out
    }

    private static func character(_ name: String) -> Unicode.Scalar? {
        if name.hasPrefix("#x") || name.hasPrefix("#X") {
            return UInt32(name.dropFirst(2), radix: 16).flatMap(scalar)
        }
        if name.hasPrefix("#") {
            return UInt32(name.dropFirst()).flatMap(scalar)
        }
        return named[name]
    }

    private static func scalar(_ value: UInt32) -> Unicode.Scalar? {
        value == 0 ? "\u{FFFD}" : Unicode.Scalar(value)
    }

    private static let named: [String: Unicode.Scalar] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{00A0}", "ndash": "\u{2013}", "mdash": "\u{2014}",
        "lsquo": "\u{2018}", "rsquo": "\u{2019}", "ldquo": "\u{201C}", "rdquo": "\u{201D}", "hellip": "\u{2026}", "pound": "£",
        "euro": "€", "copy": "©", "reg": "®", "trade": "\u{2122}", "bull": "\u{2022}", "middot": "·", "eacute": "é", "egrave": "è",
        "aacute": "á", "agrave": "à", "ccedil": "ç", "ouml": "ö", "uuml": "ü", "auml": "ä", "szlig": "ß", "shy": "\u{00AD}",
    ]
}
