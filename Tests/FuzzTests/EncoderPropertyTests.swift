import Foundation
import NewsletterCompose
import NewsletterCore
import NewsletterFuzzSupport
import NewsletterTestSupport
import Testing

/// The two encoders every message goes through, checked directly on generated text:
/// quoted-printable bodies and RFC 2047 / folded headers.
@Suite("Seeded fuzzing of the encoders")
struct EncoderPropertyTests {
    /// Text that is hard on encoders: line ends of every kind, lone CRs, spaces before line
    /// ends, long runs, long grapheme clusters.
    static func text(_ generator: inout SeededGenerator) -> String {
        var out = ""
        for _ in 0..<Int.random(in: 0...12, using: &generator) {
            switch Int.random(in: 0..<8, using: &generator) {
            case 0: out += ["\n", "\r\n", "\r", " \r\n", "\t\n", " \r", "=\r\n", "\r\r\n"].randomElement(using: &generator)!
            case 1: out += String(repeating: ["a", " ", "é", "\u{200D}", "=", "\t"].randomElement(using: &generator)!, count: Int.random(in: 1...200, using: &generator))
            default: out += HostileText.string(using: &generator, maxPieces: 2)
            }
        }
        return out
    }

    @Test("quoted-printable: lines of 76 at most, nothing unencoded, decodes to the text")
    func quotedPrintable() {
        var generator = SeededGenerator(seed: 0x9E_0001)
        for _ in 0..<3000 {
            let input = Self.text(&generator)
            let encoded = QuotedPrintable.encode(input)
            var lines: [[UInt8]] = []
            var current: [UInt8] = []
            var index = 0
            var bare = false
            while index < encoded.count {
                if encoded[index] == 0x0D, index + 1 < encoded.count, encoded[index + 1] == 0x0A {
                    lines.append(current)
                    current = []
                    index += 2
                    continue
                }
                if encoded[index] == 0x0D || encoded[index] == 0x0A { bare = true }
                current.append(encoded[index])
                index += 1
            }
            if !current.isEmpty { lines.append(current) }
            var problems: [String] = []
            var decoded = MessageStructure.decodeQuotedPrintable(lines, problems: &problems)
            if !(input.utf8.last == 0x0A) && !current.isEmpty && decoded.last == 0x0A { decoded.removeLast() }
            #expect(!bare, "a bare CR or LF in \(input.debugDescription)")
            #expect(problems.isEmpty, "\(input.debugDescription): \(problems)")
            #expect(Self.lineEnds(decoded) == Self.lineEnds(Array(input.utf8)), "\(input.debugDescription) decodes to \(String(decoding: decoded, as: UTF8.self).debugDescription)")
        }
    }

    /// Line ends as LF; CRs just before a line end dropped (quoted-printable cannot keep them).
    static func lineEnds(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x0D {
                var end = index
                while end < bytes.count, bytes[end] == 0x0D { end += 1 }
                if end < bytes.count, bytes[end] == 0x0A {
                    index = end
                    continue
                }
            }
            out.append(bytes[index])
            index += 1
        }
        while out.last == 0x0A { out.removeLast() }
        return out
    }

    @Test("headers: 7-bit, no line over 998 octets, and the value decodes back")
    func headers() throws {
        var generator = SeededGenerator(seed: 0x9E_0002)
        for _ in 0..<3000 {
            var value = Self.text(&generator)
            let refused = value.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\t") || (0x7F...0x9F).contains($0.value) }
            do {
                let line = try HeaderEncoding.line("Subject", try HeaderEncoding.unstructured(value))
                #expect(!refused, "accepted a control character in \(value.debugDescription)")
                let bytes = Array(line.utf8)
                #expect(bytes.allSatisfy { $0 < 0x80 }, "8-bit header for \(value.debugDescription)")
                let lines = Self.lines(line)
                #expect(lines.allSatisfy { $0.utf8.count <= 998 }, "a line over 998 octets for \(value.debugDescription)")
                #expect(lines.dropFirst().allSatisfy { $0.hasPrefix(" ") && !$0.trimmingCharacters(in: .whitespaces).isEmpty })
                let unfolded = lines.joined().dropFirst("Subject: ".count)
                #expect(MessageStructure.decodeWords(String(unfolded)) == value, "\(value.debugDescription) decodes to \(unfolded.debugDescription)")
            } catch let error as NewsletterError {
                #expect(refused, "refused \(value.debugDescription): \(error.message)")
            }
            // Display names: whatever the value, the header is one clean line set.
            value = value.filter { !$0.unicodeScalars.contains { ($0.value < 0x20) || (0x7F...0x9F).contains($0.value) } }
            let mailbox = Mailbox(displayName: value.isEmpty ? nil : value, address: try EmailAddress("ann@example.org"))
            let line = try HeaderEncoding.line("To", try HeaderEncoding.mailbox(mailbox))
            #expect(line.utf8.allSatisfy { $0 < 0x80 } && Self.lines(line).allSatisfy { $0.utf8.count <= 998 })
        }
    }

    /// A header's lines, without the CRLF that ends each (a Character of its own in Swift).
    static func lines(_ header: String) -> [String] {
        #expect(header.utf8.suffix(2).elementsEqual([0x0D, 0x0A]))
        return String(decoding: header.utf8.dropLast(2), as: UTF8.self).components(separatedBy: "\r\n")
    }

    @Test("regressions the encoders' fuzzing found", arguments: [
        "a" + String(repeating: "\u{200D}", count: 400),  // one grapheme of 1,201 bytes
        String(repeating: "N", count: 1500),  // a word longer than a line
        "Peak" + String(repeating: " ", count: 1000) + "Carers",  // spaces that cannot be folded at
        String(repeating: "\t", count: 1200),
    ])
    func regressions(_ value: String) throws {
        for header in [try HeaderEncoding.line("Subject", try HeaderEncoding.unstructured(value)),
                       try HeaderEncoding.line("From", try HeaderEncoding.mailbox(Mailbox(displayName: value, address: EmailAddress("a@example.org"))))] {
            #expect(Self.lines(header).allSatisfy { $0.utf8.count <= 998 }, "\(header.prefix(100))")
        }
        #expect(throws: NewsletterError.self) { try HeaderEncoding.checkValue("Ann\u{7F}") }
        #expect(throws: NewsletterError.self) { try HeaderEncoding.checkValue("Ann\u{85}") }
        #expect(throws: NewsletterError.self) { try HeaderEncoding.checkValue("Ann\u{1B}[31m") }
        // A lone CR after column 75 used to push its soft line break to column 77.
        let encoded = QuotedPrintable.encode(String(repeating: "u", count: 76) + "\rx")
        #expect(String(decoding: encoded, as: UTF8.self).components(separatedBy: "\r\n").allSatisfy { $0.count <= 76 })
    }
}
