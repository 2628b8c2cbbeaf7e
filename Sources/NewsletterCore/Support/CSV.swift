import Foundation

/// A record of a CSV file with the line it starts on (a quoted field may span lines).
public struct CSVRecord: Sendable, Equatable {
    public var line: Int
    public var fields: [String]
}

/// RFC 4180 CSV as spreadsheets write it: an optional UTF-8 byte order mark, CRLF, LF or CR
/// line ends, quoted fields holding commas, quotes ("") and line breaks.
public enum CSVReader {
    /// Parses the whole file. Blank lines are skipped. Throws a one-line ``NewsletterError``
    /// naming the line for an unterminated quote, text after a closing quote, or bytes that
    /// are not UTF-8.
    public static func records(in data: Data, source: String) throws -> [CSVRecord] {
        var records: [CSVRecord] = []
        try parse(data, source: source) { records.append($0) }
        return records
    }

    public static func parse(_ data: Data, source: String, _ body: (CSVRecord) throws -> Void) throws {
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            var index = 0
            if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { index = 3 }

            var line = 1
            var recordLine = 1
            var fields: [String] = []
            var field: [UInt8] = []
            var quoted = false
            var afterQuote = false
            var quoteLine = 1

            func finishField() throws {
                guard let text = String(validating: field, as: UTF8.self) else {
                    throw NewsletterError.badData("\(source), line \(line): the text is not UTF-8; save the file as \"CSV UTF-8\" and try again")
                }
                fields.append(text)
                field.removeAll(keepingCapacity: true)
                afterQuote = false
            }
            func finishRecord() throws {
                try finishField()
                if !(fields.count == 1 && fields[0].isEmpty) {
                    try body(CSVRecord(line: recordLine, fields: fields))
                }
                fields.removeAll(keepingCapacity: true)
            }

            while index < bytes.count {
                let byte = bytes[index]
                if quoted {
                    if byte == UInt8(ascii: "\"") {
                        if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\"") {
                            field.append(byte)
                            index += 1
                        } else {
                            quoted = false
                            afterQuote = true
                        }
                    } else {
                        if byte == 0x0A || (byte == 0x0D && (index + 1 >= bytes.count || bytes[index + 1] != 0x0A)) { line += 1 }
                        field.append(byte)
                    }
                    index += 1
                    continue
                }
                switch byte {
                case UInt8(ascii: ","):
                    try finishField()
                case 0x0D, 0x0A:
                    if byte == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A { index += 1 }
                    try finishRecord()
                    line += 1
                    recordLine = line
                case UInt8(ascii: "\""):
                    if field.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) && !afterQuote {
                        field.removeAll(keepingCapacity: true)
                        quoted = true
                        quoteLine = line
                    } else {
                        throw NewsletterError.badData(
                            "\(source), line \(line): a quote (\") in the middle of a field; put the whole field in quotes and double the quote (\"\")")
                    }
                default:
                    if afterQuote {
                        if byte == 0x20 || byte == 0x09 { break }
                        throw NewsletterError.badData(
                            "\(source), line \(line): text after a closing quote; put the whole field in quotes and double any quote inside it")
                    }
                    field.append(byte)
                }
                index += 1
            }
            if quoted {
                throw NewsletterError.badData("\(source), line \(quoteLine): a quoted field is never closed; add the missing quote (\")")
            }
            if !field.isEmpty || !fields.isEmpty || afterQuote { try finishRecord() }
        }
    }
}

/// Writes RFC 4180 CSV with CRLF line ends, quoting only where needed.
public enum CSVWriter {
    /// One record as a CSV line, CRLF included.
    ///
    /// A field starting with `=`, `+`, `-`, `@` or a tab would run as a formula when staff open
    /// the file in a spreadsheet; it gets a leading `'`, which ``CSVWriter/unguard(_:)`` removes
    /// again on import.
    public static func line(_ fields: [String]) -> String {
        fields.map(escape).joined(separator: ",") + "\r\n"
    }

    static func escape(_ field: String) -> String {
        var value = field
        if isFormulaLike(value, leadingQuotes: 0...) { value = "'" + value }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Removes the formula guard `line` adds.
    public static func unguard(_ field: String) -> String {
        isFormulaLike(field, leadingQuotes: 1...) ? String(field.unicodeScalars.dropFirst()) : field
    }

    /// Whether the field is some quotes then a formula character. The writer guards any such
    /// field with one more quote (so a field that already starts with a guard survives), and
    /// the reader takes one off: unguard(escape(x)) is always x.
    private static func isFormulaLike(_ field: String, leadingQuotes: PartialRangeFrom<Int>) -> Bool {
        let quotes = field.unicodeScalars.prefix { $0 == "'" }.count
        guard leadingQuotes.contains(quotes), let next = field.unicodeScalars.dropFirst(quotes).first else { return false }
        return formulaStarts.contains(next)
    }

    private static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]
}
