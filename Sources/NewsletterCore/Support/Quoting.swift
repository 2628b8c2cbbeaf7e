extension String {
    /// The string in double quotes with control characters escaped, safe to put in a message
    /// shown on a terminal or written to a log: an address holding CR, LF or an escape
    /// sequence cannot forge a log line or repaint the screen.
    public var quotedForDisplay: String {
        var out = "\""
        for scalar in unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\0": out += "\\0"
            default:
                if scalar.properties.generalCategory == .control
                    || scalar.properties.generalCategory == .format && scalar.value != 0x200D
                {
                    out += "\\u{" + String(scalar.value, radix: 16) + "}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
