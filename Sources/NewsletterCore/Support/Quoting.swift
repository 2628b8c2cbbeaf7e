extension String {
    /// The string in double quotes with control characters escaped, safe to put in a message
    /// shown on a terminal or written to a log: an address holding CR, LF or an escape
    /// sequence cannot forge a log line or repaint the screen.
    public var quotedForDisplay: String {
        "\"" + escaped(quote: true) + "\""
    }

    /// The string with control characters (and U+2028, U+2029) escaped as
    /// ``quotedForDisplay`` escapes them, but no quotes added: for text that is already a
    /// message, so that it stays one line whatever a path or an argument in it held.
    public var escapingControlCharacters: String {
        guard unicodeScalars.contains(where: { $0.value < 0x20 || ($0.value >= 0x7F && $0.value <= 0x9F) || $0.value == 0x2028 || $0.value == 0x2029 })
        else { return self }
        return escaped(quote: false)
    }

    private func escaped(quote: Bool) -> String {
        var out = ""
        for scalar in unicodeScalars {
            switch scalar {
            case "\"" where quote: out += "\\\""
            case "\\" where quote: out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\0": out += "\\0"
            default:
                if scalar.properties.generalCategory == .control
                    || quote && scalar.properties.generalCategory == .format && scalar.value != 0x200D
                    || scalar.value == 0x2028 || scalar.value == 0x2029
                {
                    out += "\\u{" + String(scalar.value, radix: 16) + "}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}

extension String {
    /// Whether the text holds a control character (C0, DEL, C1) or a Unicode line or
    /// paragraph separator: text meant to be one line (a name, a topic, a header value) must not.
    public var hasLineBreakOrControl: Bool {
        unicodeScalars.contains { $0.value < 0x20 || ($0.value >= 0x7F && $0.value <= 0x9F) || $0.value == 0x2028 || $0.value == 0x2029 }
    }
}
