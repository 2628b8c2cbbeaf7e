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
            throw NewsletterError.badData("envelope: \(error.message)")
        }
        // The trimmed form must be the stored form: no stray spaces reach the SMTP command.
        guard envelopeFrom.value == from, envelopeTo.value == to else {
            throw NewsletterError.badData("envelope address \(from.quotedForDisplay) or \(to.quotedForDisplay) has surrounding spaces")
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
        let needsFixing = try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Bool in
            let bytes = raw.bindMemory(to: UInt8.self)
            return try scan(bytes)
        }
        guard needsFixing else { return data }
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

    /// Validates; returns whether any line end is not CRLF.
    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>) throws -> Bool {
        var bare = false
        var inHeaders = true
        var lineStart = 0
        var lineNumber = 0
        var i = 0
        let count = bytes.count
        if count == 0 { throw NewsletterError.badData("the message is empty") }
        while i <= count {
            let atEnd = i == count
            let byte: UInt8 = atEnd ? 0x0A : bytes[i]
            if byte == 0x0D || byte == 0x0A || atEnd {
                let lineEnd = i
                if !atEnd {
                    if byte == 0x0D {
                        if i + 1 < count && bytes[i + 1] == 0x0A { i += 1 } else { bare = true }
                    } else {
                        bare = true
                    }
                }
                lineNumber += 1
                if lineEnd - lineStart > maxLine {
                    throw NewsletterError.badData("line \(lineNumber) of the message is longer than \(maxLine) octets")
                }
                if inHeaders {
                    if lineEnd == lineStart {
                        if atEnd || lineNumber == 1 {
                            throw NewsletterError.badData("the message has no header section ending in a blank line")
                        }
                        inHeaders = false
                    } else {
                        try checkHeaderLine(bytes, lineStart, lineEnd, lineNumber)
                    }
                }
                if atEnd { break }
                lineStart = i + 1
            } else if byte == 0 && inHeaders {
                throw NewsletterError.badData("header line \(lineNumber + 1) of the message contains a NUL byte")
            }
            i += 1
        }
        if inHeaders { throw NewsletterError.badData("the message has no header section ending in a blank line") }
        return bare
    }

    private static func checkHeaderLine(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ number: Int) throws {
        let first = bytes[start]
        if first == 0x20 || first == 0x09 {
            if number == 1 { throw NewsletterError.badData("the message starts with a folded header line") }
            return
        }
        var j = start
        while j < end, bytes[j] != UInt8(ascii: ":") {
            let c = bytes[j]
            // RFC 5322 field names: printable ASCII except colon.
            guard c >= 33 && c <= 126 else {
                throw NewsletterError.badData("header line \(number) of the message is not of the form Name: value")
            }
            j += 1
        }
        if j == start || j == end {
            throw NewsletterError.badData("header line \(number) of the message is not of the form Name: value")
        }
    }
}
