import Foundation

/// Header values as RFC 5322 and RFC 2047 want them. Every header of every message goes
/// through here: a value holding CR, LF or NUL makes it throw, so no input can add a header.
public enum HeaderEncoding {
    /// Where lines are folded when there is a space to fold at (RFC 5322's "should").
    static let preferredLineLength = 78
    /// Encoded words carry at most this many bytes of UTF-8: 39 bytes is a 64-character word,
    /// within RFC 2047's 75 and short enough to share the first line with `Reply-To: `.
    static let encodedWordBytes = 39

    /// A complete header line, `Name: value` folded and ending in CRLF.
    public static func line(_ name: String, _ encodedValue: String) throws -> String {
        try checkName(name)
        return fold("\(name): \(encodedValue)") + "\r\n"
    }

    /// An unstructured value such as a subject: plain if it is printable ASCII, otherwise
    /// RFC 2047 encoded words.
    public static func unstructured(_ value: String) throws -> String {
        try checkValue(value)
        if isPlainASCII(value) && !value.contains("=?") && !hasLongWord(value) { return value }
        return encodedWords(value)
    }

    /// A mailbox: `address`, or `"Display Name" <address>` with the name quoted or encoded.
    public static func mailbox(_ mailbox: Mailbox) throws -> String {
        try checkValue(mailbox.address.value)
        guard let name = mailbox.displayName, !name.isEmpty else { return mailbox.address.value }
        return "\(try phrase(name)) <\(mailbox.address.value)>"
    }

    /// A display name: as-is when it is only atoms, quoted when it holds specials such as a
    /// comma, encoded words when it is not ASCII.
    public static func phrase(_ name: String) throws -> String {
        try checkValue(name)
        if !isPlainASCII(name) || name.contains("=?") || hasLongWord(name) { return encodedWords(name) }
        let atomOnly = name.utf8.allSatisfy { isAtext($0) || $0 == 0x20 } && !name.hasPrefix(" ") && !name.hasSuffix(" ")
        if atomOnly { return name }
        return "\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// Throws unless `value` is safe to put in a header at all: no line break, NUL or other
    /// control character (a tab aside), even encoded.
    public static func checkValue(_ value: String) throws {
        var previous: UInt8 = 0
        for byte in value.utf8 {
            // C0 but tab, DEL, and C1 (U+0080-U+009F is C2 80-C2 9F in UTF-8).
            if (byte < 0x20 && byte != 0x09) || byte == 0x7F || (previous == 0xC2 && byte >= 0x80 && byte <= 0x9F) {
                throw NewsletterError.badData(
                    "header value \(value.quotedForDisplay) contains a line break or control character; refusing to build the message")
            }
            previous = byte
        }
    }

    /// The longest word a plain value may hold: folding happens only between words, so a
    /// longer one goes as encoded words (which fold), and no line reaches 998 octets, even
    /// with a display name's quotes and backslashes doubled.
    static let longestWord = 400

    /// Folding needs a space with a word after it, so a long run of spaces does not fold either.
    static let longestSpaces = 200

    static func hasLongWord(_ value: String) -> Bool {
        var word = 0
        var spaces = 0
        for byte in value.utf8 {
            if byte == 0x20 {
                word = 0
                spaces += 1
            } else {
                word += 1
                spaces = 0
            }
            if word > longestWord || spaces > longestSpaces { return true }
        }
        return false
    }

    static func checkName(_ name: String) throws {
        guard !name.isEmpty, name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") }) else {
            throw NewsletterError.internalError("invalid header name \(name.quotedForDisplay)")
        }
    }

    /// Encoded words of at most 39 UTF-8 bytes each, split between code points (RFC 2047's
    /// characters: a grapheme cluster can be any length, so it may span words), separated by
    /// spaces (which decoders drop between adjacent encoded words).
    static func encodedWords(_ value: String) -> String {
        var words: [String] = []
        var chunk: [UInt8] = []
        for scalar in value.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            if chunk.count + bytes.count > encodedWordBytes, !chunk.isEmpty {
                words.append(encodedWord(chunk))
                chunk.removeAll(keepingCapacity: true)
            }
            chunk.append(contentsOf: bytes)
        }
        if !chunk.isEmpty || words.isEmpty { words.append(encodedWord(chunk)) }
        return words.joined(separator: " ")
    }

    private static func encodedWord(_ bytes: [UInt8]) -> String {
        "=?utf-8?B?" + Data(bytes).base64EncodedString() + "?="
    }

    /// Folds before spaces so lines stay within 78 characters where possible; a header
    /// with no space to fold at is left long (the serializer keeps every line under 998).
    static func fold(_ line: String) -> String {
        guard line.utf8.count > preferredLineLength else { return line }
        var out = ""
        var current = ""
        for (index, word) in line.split(separator: " ", omittingEmptySubsequences: false).enumerated() {
            if index == 0 {
                current = String(word)
            } else if current.utf8.count + 1 + word.utf8.count > preferredLineLength, index > 1 || !out.isEmpty,
                !current.trimmingCharacters(in: .whitespaces).isEmpty, !word.isEmpty
            {
                // Never fold straight after "Name:": some parsers then keep the space in the value.
                // Fold only before a word: a folded line of white space alone is not allowed.
                out += current + "\r\n"
                current = " " + word
            } else {
                current += " " + word
            }
        }
        return out + current
    }

    static func isPlainASCII(_ value: String) -> Bool {
        value.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
    }

    private static func isAtext(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || "!#$%&'*+-/=?^_`{|}~".utf8.contains(byte)
    }
}
