/// Turns a file's bytes into text: UTF-8 (with or without a byte order mark), UTF-16 with a
/// byte order mark, or, when the bytes are not valid UTF-8, Windows-1252, the encoding old
/// Windows editors and Word's "Save as web page" wrote.
enum TextDecoding {
    enum Encoding: String, Sendable {
        case utf8 = "UTF-8"
        case utf16 = "UTF-16"
        case windows1252 = "Windows-1252"
    }

    /// NUL bytes in the first 8,000 bytes mean a binary file, as git decides.
    static func looksBinary(_ bytes: [UInt8]) -> Bool {
        if hasUTF16Mark(bytes) { return false }
        return bytes.prefix(8000).contains(0)
    }

    /// The text as UTF-8 bytes, and the encoding it was read as.
    static func utf8(_ bytes: [UInt8]) -> ([UInt8], Encoding) {
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            let rest = Array(bytes[3...])
            if isValidUTF8(rest) { return (rest, .utf8) }
            return (windows1252(rest), .windows1252)
        }
        if hasUTF16Mark(bytes) {
            let bigEndian = bytes[0] == 0xFE
            var units: [UInt16] = []
            units.reserveCapacity(bytes.count / 2)
            var index = 2
            while index + 1 < bytes.count {
                let unit = bigEndian ? UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1]) : UInt16(bytes[index + 1]) << 8 | UInt16(bytes[index])
                units.append(unit)
                index += 2
            }
            return (Array(String(decoding: units, as: UTF16.self).utf8), .utf16)
        }
        if isValidUTF8(bytes) { return (bytes, .utf8) }
        return (windows1252(bytes), .windows1252)
    }

    static func hasUTF16Mark(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && ((bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF))
    }

    static func isValidUTF8(_ bytes: [UInt8]) -> Bool {
        // Pure ASCII is by far the common case: check it without decoding.
        if !bytes.contains(where: { $0 >= 0x80 }) { return true }
        return String(validating: bytes, as: UTF8.self) != nil
    }

    /// Windows-1252: Latin-1 plus typographic quotes, dashes and the euro sign in 0x80-0x9F.
    static func windows1252(_ bytes: [UInt8]) -> [UInt8] {
        var scalars = String.UnicodeScalarView()
        for byte in bytes {
            if byte < 0x80 {
                scalars.append(Unicode.Scalar(byte))
            } else if byte < 0xA0 {
                scalars.append(Unicode.Scalar(high[Int(byte - 0x80)]) ?? "\u{FFFD}")
            } else {
                scalars.append(Unicode.Scalar(UInt32(byte)) ?? "\u{FFFD}")
            }
        }
        return Array(String(scalars).utf8)
    }

    private static let high: [UInt32] = [
        0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
        0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
    ]
}
