import Foundation
import NewsletterCore

/// A message ready for a transport: a checked envelope and checked bytes.
///
/// Building one is the last gate before libcurl, which (7.88.1) copies envelope addresses
/// into SMTP commands without looking for CR or LF, and passes bare LF through in the body.
/// The addresses are re-validated as ``EmailAddress``es (the database may hold anything),
/// line ends are made CRLF, and the header section is checked line by line.
public struct OutgoingMessage: Sendable {
    public let envelopeFrom: EmailAddress
    public let envelopeTo: EmailAddress
    /// The complete message, CRLF line ends.
    public let data: Data

    public init(from: String, to: String, data: Data) throws {
        do {
            envelopeFrom = try EmailAddress(from)
            envelopeTo = try EmailAddress(to)
        } catch let error as NewsletterError {
            // The stored address no longer passes the check: this message can never go.
            throw MessageError.unsendable("envelope: \(error.message)")
        }
        // The trimmed form must be the stored form: no stray spaces reach the SMTP command.
        guard envelopeFrom.value == from, envelopeTo.value == to else {
            throw MessageError.unsendable("envelope address \(from.quotedForDisplay) or \(to.quotedForDisplay) has surrounding spaces")
        }
        self.data = try MessageCheck.prepared(data)
    }

    public init(from: EmailAddress, to: EmailAddress, data: Data) throws {
        envelopeFrom = from
        envelopeTo = to
        self.data = try MessageCheck.prepared(data)
    }
}

/// Checks a message's header section and makes its line ends CRLF.
enum MessageCheck {
    static let maxLine = 998

    /// `data` with every line ending CRLF; throws when the header section is malformed:
    /// no blank line after it, a NUL, a line that is neither `Name: value` nor a folded
    /// continuation, or any line longer than 998 octets.
    static func prepared(_ data: Data) throws -> Data {
        let clean = try data.withUnsafeBytes { raw in try scan(raw.bindMemory(to: UInt8.self)) }
        if clean { return data }
        let fixed = normalized(data)
        guard try fixed.withUnsafeBytes({ raw in try scan(raw.bindMemory(to: UInt8.self)) }) else {
            throw NewsletterError.internalError("line ends still mixed after normalising")
        }
        return fixed
    }

    /// Every CR, LF or CRLF made CRLF.
    private static func normalized(_ data: Data) -> Data {
        var fixed = Data()
        fixed.reserveCapacity(data.count + data.count / 32)
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            var i = 0
            while i < bytes.count {
                let byte = bytes[i]
                if byte == 0x0D {
                    fixed.append(contentsOf: [0x0D, 0x0A])
                    if i + 1 < bytes.count && bytes[i + 1] == 0x0A { i += 1 }
                } else if byte == 0x0A {
                    fixed.append(contentsOf: [0x0D, 0x0A])
                } else {
                    fixed.append(byte)
                }
                i += 1
            }
        }
        return fixed
    }

    /// Checks a message; returns false (without finishing) at the first line end that is not
    /// CRLF. The header section is checked line by line; the body only for line lengths.
    /// Line ends are found with memchr, which matters at thousands of messages a second.
    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>) throws -> Bool {
        let count = bytes.count
        guard count > 0, let base = bytes.baseAddress else { throw MessageError.unsendable("the message is empty") }
        var lineStart = 0
        var lineNumber = 0
        var inHeaders = true
        while true {
            let rest = count - lineStart
            let found = rest > 0 ? memchr(base + lineStart, 0x0A, rest) : nil
            let lf = found.map { UnsafeRawPointer($0) - UnsafeRawPointer(base) } ?? count
            var lineEnd = lf
            if lf < count {
                guard lf > lineStart && base[lf - 1] == 0x0D else { return false }
                lineEnd = lf - 1
            }
            if lineEnd > lineStart && memchr(base + lineStart, 0x0D, lineEnd - lineStart) != nil { return false }
            lineNumber += 1
            if lineEnd - lineStart > maxLine {
                throw MessageError.unsendable("line \(lineNumber) of the message is longer than \(maxLine) octets")
            }
            if inHeaders {
                if lineEnd == lineStart {
                    if lf == count || lineNumber == 1 {
                        throw MessageError.unsendable("the message has no header section ending in a blank line")
                    }
                    inHeaders = false
                } else {
                    if memchr(base + lineStart, 0, lineEnd - lineStart) != nil {
                        throw MessageError.unsendable("header line \(lineNumber) of the message contains a NUL byte")
                    }
                    try checkHeaderLine(bytes, lineStart, lineEnd, lineNumber)
                }
            }
            if lf >= count - 1 { break }
            lineStart = lf + 1
        }
        if inHeaders { throw MessageError.unsendable("the message has no header section ending in a blank line") }
        return true
    }

    private static func checkHeaderLine(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ number: Int) throws {
        let first = bytes[start]
        if first == 0x20 || first == 0x09 {
            if number == 1 { throw MessageError.unsendable("the message starts with a folded header line") }
            return
        }
        var j = start
        while j < end, bytes[j] != UInt8(ascii: ":") {
            let c = bytes[j]
            // RFC 5322 field names: printable ASCII except colon.
            guard c >= 33 && c <= 126 else {
                throw MessageError.unsendable("header line \(number) of the message is not of the form Name: value")
            }
            j += 1
        }
        if j == start || j == end {
            throw MessageError.unsendable("header line \(number) of the message is not of the form Name: value")
        }
    }
}
