import Foundation
import NewsletterTestSupport
import Testing

@testable import NewsletterCore

@Suite("Header encoding")
struct HeaderEncodingTests {
    @Test("plain ASCII stays readable; other text becomes encoded words")
    func unstructured() throws {
        #expect(try HeaderEncoding.unstructured("Peak District Carers: 3 pages updated") == "Peak District Carers: 3 pages updated")
        #expect(try HeaderEncoding.unstructured("Zoë") == "=?utf-8?B?Wm/Dqw==?=")
        #expect(try HeaderEncoding.unstructured("looks =?like?= a word").hasPrefix("=?utf-8?B?"))
    }

    @Test("display names are atoms, quoted strings or encoded words")
    func mailboxes() throws {
        let address = try EmailAddress("news@example.org")
        #expect(try HeaderEncoding.mailbox(Mailbox(displayName: "Peak Carers", address: address)) == "Peak Carers <news@example.org>")
        #expect(try HeaderEncoding.mailbox(Mailbox(displayName: "Carers, Peak \"District\"", address: address))
            == #""Carers, Peak \"District\"" <news@example.org>"#)
        #expect(try HeaderEncoding.mailbox(Mailbox(displayName: "Siobhán", address: address)) == "=?utf-8?B?U2lvYmjDoW4=?= <news@example.org>")
        #expect(try HeaderEncoding.mailbox(Mailbox(displayName: nil, address: address)) == "news@example.org")
    }

    @Test("long values fold at spaces under 78 characters")
    func folding() throws {
        let line = try HeaderEncoding.line("Subject", try HeaderEncoding.unstructured(String(repeating: "carers support ", count: 12)))
        let lines = line.components(separatedBy: "\r\n").dropLast()
        #expect(lines.count > 1)
        #expect(lines.allSatisfy { $0.utf8.count <= 78 })
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix(" ") })
    }

    @Test("CR, LF or NUL anywhere in a header value always throws", arguments: ["\r", "\n", "\r\n", "\0"])
    func injection(_ bad: String) throws {
        var generator = SeededGenerator(seed: UInt64(bad.unicodeScalars.first!.value))
        let alphabet = Array("aZ09 .,:;<>@\"'é王😀=?-")
        for _ in 0..<500 {
            let prefix = String((0..<Int.random(in: 0...20, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            let suffix = String((0..<Int.random(in: 0...20, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            let value = prefix + bad + "Bcc: victim@example.org" + suffix
            #expect(throws: NewsletterError.self) { try HeaderEncoding.unstructured(value) }
            #expect(throws: NewsletterError.self) { try HeaderEncoding.phrase(value) }
            #expect(throws: NewsletterError.self) { try HeaderEncoding.mailbox(Mailbox(displayName: value, address: EmailAddress("a@example.org"))) }
        }
    }

    @Test("random text encodes to lines under 998 octets that an independent parser decodes back")
    func randomRoundTrip() async throws {
        var generator = SeededGenerator(seed: 7)
        let alphabet = Array("abc XYZ 012 ,.;:!?'\"()<>@=_-/\\ éüßøñ 王国 😀 \u{A0}")
        var message = ""
        var expected: [String] = []
        for index in 0..<40 {
            let length = Int.random(in: 1...150, using: &generator)
            var value = String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
            value = value.trimmingCharacters(in: .whitespaces)
            if value.isEmpty { value = "x" }
            expected.append(value)
            message += try HeaderEncoding.line("X-Test-\(index)", try HeaderEncoding.unstructured(value))
        }
        message += "\r\nbody\r\n"
        let parsed = try await PythonEmail.parse(Data(message.utf8))
        #expect(parsed.defects.isEmpty, "\(parsed.defects)")
        #expect(parsed.maxLineLength < 998)
        for (index, value) in expected.enumerated() {
            let decoded = parsed.header("X-Test-\(index)")
            // Runs of spaces inside unencoded text are folding whitespace to a parser.
            #expect(decoded?.split(separator: " ") == value.split(separator: " "), "\(value.quotedForDisplay)")
        }
    }
}

@Suite("Quoted-printable")
struct QuotedPrintableTests {
    func encode(_ text: String) -> String { String(decoding: QuotedPrintable.encode(text), as: UTF8.self) }

    @Test("known encodings")
    func vectors() {
        #expect(encode("Hello") == "Hello")
        #expect(encode("a=b") == "a=3Db")
        #expect(encode("Zoë") == "Zo=C3=AB")
        #expect(encode("ends with space \nnext") == "ends with space=20\r\nnext")
        #expect(encode("tab\t\r\n") == "tab=09\r\n")
        #expect(encode("line1\nline2\r\nline3") == "line1\r\nline2\r\nline3")
        #expect(encode(String(repeating: "a", count: 80)) == String(repeating: "a", count: 75) + "=\r\n" + String(repeating: "a", count: 5))
        #expect(encode(String(repeating: "a", count: 76)) == String(repeating: "a", count: 76))
    }

    @Test("random text: lines of at most 76, nothing unsafe, and it decodes back")
    func random() {
        var generator = SeededGenerator(seed: 99)
        let alphabet = Array("ab =\t.é王😀\n\r\n<>&\"'")
        for _ in 0..<300 {
            let text = String((0..<Int.random(in: 0...400, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            let encoded = encode(text)
            for line in encoded.components(separatedBy: "\r\n") {
                #expect(line.utf8.count <= 76)
                #expect(!line.hasSuffix(" ") && !line.hasSuffix("\t"))
                #expect(line.utf8.allSatisfy { $0 >= 32 && $0 < 127 || $0 == 9 })
            }
            let normalized = text.replacingOccurrences(of: "\r\n", with: "\n")
            #expect(Self.decode(encoded) == normalized.replacingOccurrences(of: "\n", with: "\r\n"))
        }
    }

    static func decode(_ encoded: String) -> String {
        var bytes: [UInt8] = []
        let input = Array(encoded.utf8)
        var index = 0
        while index < input.count {
            if input[index] == UInt8(ascii: "=") {
                if index + 2 < input.count, input[index + 1] == 0x0D, input[index + 2] == 0x0A {
                    index += 3
                    continue
                }
                bytes.append(UInt8(String(decoding: input[(index + 1)...(index + 2)], as: UTF8.self), radix: 16)!)
                index += 3
            } else {
                bytes.append(input[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
