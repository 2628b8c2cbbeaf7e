import Foundation

/// A strict reading of one of our messages, independent of the code that wrote it: RFC 5322
/// lines, header fields, RFC 2047 encoded words and quoted-printable parts, and
/// `multipart/alternative`. Fast enough to run on every fuzzer input; Python's `email`
/// package (``PythonMailParser``) is the second, independent opinion.
public struct MessageStructure {
    public var headers: [(name: String, value: String)] = []
    /// Decoded parts: content type and text (line ends as LF).
    public var parts: [(type: String, text: String)] = []
    public var problems: [String] = []

    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    public init(_ message: Data) {
        let bytes = [UInt8](message)
        if let bad = bytes.firstIndex(where: { $0 >= 0x80 || $0 == 0 }) {
            problems.append("byte 0x\(String(bytes[bad], radix: 16)) at offset \(bad): messages are 7-bit")
        }
        var lines: [[UInt8]] = []
        var start = 0
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x0D {
                if index + 1 < bytes.count, bytes[index + 1] == 0x0A {
                    lines.append(Array(bytes[start..<index]))
                    index += 2
                    start = index
                    continue
                }
                problems.append("a CR without LF at offset \(index)")
            } else if bytes[index] == 0x0A {
                problems.append("an LF without CR at offset \(index)")
            }
            index += 1
        }
        if start < bytes.count { problems.append("the message does not end with CRLF") }
        if start < bytes.count { lines.append(Array(bytes[start...])) }
        for (number, line) in lines.enumerated() where line.count > 998 {
            problems.append("line \(number + 1) is \(line.count) octets, over 998: \(String(decoding: line.prefix(70), as: UTF8.self).debugDescription)…")
        }
        guard let blank = lines.firstIndex(where: \.isEmpty) else {
            problems.append("no blank line after the headers")
            return
        }
        headers = Self.fields(lines[..<blank], problems: &problems)
        var seen: Set<String> = []
        for field in headers where !seen.insert(field.name.lowercased()).inserted {
            problems.append("header \(field.name) appears twice")
        }
        let body = Array(lines[(blank + 1)...])
        let type = header("Content-Type") ?? ""
        if type.hasPrefix("multipart/alternative") {
            guard let boundary = Self.boundary(type) else {
                problems.append("multipart without a boundary: \(type)")
                return
            }
            var current: [[UInt8]]?
            var closed = false
            for line in body {
                let text = String(decoding: line, as: UTF8.self)
                if text == "--\(boundary)" {
                    if let current { part(current) }
                    current = []
                } else if text == "--\(boundary)--" {
                    if let current { part(current) }
                    current = nil
                    closed = true
                } else if closed {
                    if !line.isEmpty { problems.append("text after the closing boundary") }
                } else if current != nil {
                    current!.append(line)
                } else if !line.isEmpty {
                    problems.append("text before the first boundary")
                }
            }
            if !closed { problems.append("the multipart is never closed") }
        } else {
            part(lines[blank...].map { $0 }, headers: headers)
        }
    }

    private mutating func part(_ lines: [[UInt8]]) {
        guard let blank = lines.firstIndex(where: \.isEmpty) else {
            problems.append("a part without a blank line after its headers")
            return
        }
        let fields = Self.fields(lines[..<blank], problems: &problems)
        part(Array(lines[blank...]), headers: fields)
    }

    /// `lines` start with the blank line that ends the headers.
    private mutating func part(_ lines: [[UInt8]], headers fields: [(name: String, value: String)]) {
        let type = fields.first { $0.name.lowercased() == "content-type" }?.value ?? ""
        let encoding = fields.first { $0.name.lowercased() == "content-transfer-encoding" }?.value.lowercased()
        if encoding != "quoted-printable" { problems.append("part \(type) is not quoted-printable") }
        if !type.lowercased().contains("charset=utf-8") { problems.append("part \(type) does not say charset=utf-8") }
        let decoded = Self.decodeQuotedPrintable(Array(lines.dropFirst()), problems: &problems)
        guard let text = String(validating: decoded, as: UTF8.self) else {
            problems.append("part \(type) does not decode to UTF-8")
            return
        }
        parts.append((String(type.prefix { $0 != ";" }), text))
    }

    static func fields(_ lines: ArraySlice<[UInt8]>, problems: inout [String]) -> [(name: String, value: String)] {
        var fields: [(name: String, value: String)] = []
        for line in lines {
            let text = String(decoding: line, as: UTF8.self)
            if line.first == 0x20 || line.first == 0x09 {
                guard !fields.isEmpty else {
                    problems.append("a continuation line before any header")
                    continue
                }
                if text.allSatisfy({ $0 == " " || $0 == "\t" }) { problems.append("a folded header line holds only white space") }
                fields[fields.count - 1].value += text
                continue
            }
            guard let colon = text.firstIndex(of: ":") else {
                problems.append("header line \(text.debugDescription) has no colon")
                continue
            }
            let name = String(text[..<colon])
            if name.isEmpty || !name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) { problems.append("bad header name \(name.debugDescription)") }
            var value = String(text[text.index(after: colon)...])
            if value.hasPrefix(" ") { value.removeFirst() }
            fields.append((name, value))
        }
        return fields.map { ($0.name, decodeWords($0.value)) }
    }

    static func boundary(_ type: String) -> String? {
        guard let range = type.range(of: "boundary=\"") else { return nil }
        let rest = type[range.upperBound...]
        guard let close = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<close])
    }

    /// RFC 2047 `=?utf-8?B?...?=` and `?Q?` words decoded; white space between two words dropped.
    public static func decodeWords(_ value: String) -> String {
        guard value.contains("=?") else { return value }
        var out = ""
        var pendingSpace = ""
        var lastWasWord = false
        for token in value.split(separator: " ", omittingEmptySubsequences: false) {
            if let decoded = decodeWord(String(token)) {
                if !lastWasWord { out += pendingSpace }
                out += decoded
                lastWasWord = true
            } else {
                out += pendingSpace + token
                lastWasWord = false
            }
            pendingSpace = " "
        }
        return out
    }

    static func decodeWord(_ word: String) -> String? {
        let pieces = word.split(separator: "?", omittingEmptySubsequences: false)
        guard pieces.count == 5, pieces[0] == "=", pieces[4] == "=", pieces[1].lowercased() == "utf-8" else { return nil }
        switch pieces[2].uppercased() {
        case "B":
            guard let data = Data(base64Encoded: String(pieces[3])) else { return nil }
            return String(validating: [UInt8](data), as: UTF8.self)
        default:
            return nil
        }
    }

    /// Quoted-printable lines (without their CRLF) decoded, each hard line end as LF; the
    /// problems list says what is not valid RFC 2045.
    public static func decodeQuotedPrintable(_ lines: [[UInt8]], problems: inout [String]) -> [UInt8] {
        var decoded: [UInt8] = []
        for line in lines {
            if line.count > 76 { problems.append("a quoted-printable line is \(line.count) characters, over 76") }
            if let bad = line.first(where: { $0 >= 0x7F || ($0 < 0x20 && $0 != 0x09) }) {
                problems.append("byte 0x\(String(bad, radix: 16)) left unencoded in \(String(decoding: line, as: UTF8.self).debugDescription)")
            }
            var index = 0
            var soft = false
            while index < line.count {
                let byte = line[index]
                if byte == UInt8(ascii: "=") {
                    if index == line.count - 1 {
                        soft = true
                        index += 1
                        continue
                    }
                    guard index + 2 < line.count, let high = hexValue(line[index + 1]), let low = hexValue(line[index + 2]) else {
                        problems.append("a bad quoted-printable escape in \(String(decoding: line, as: UTF8.self).debugDescription)")
                        break
                    }
                    decoded.append(high << 4 | low)
                    index += 3
                } else {
                    if (byte == 0x20 || byte == 0x09) && index == line.count - 1 { problems.append("white space at the end of a quoted-printable line") }
                    decoded.append(byte)
                    index += 1
                }
            }
            if !soft { decoded.append(0x0A) }
        }
        return decoded
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        default: return nil
        }
    }
}
