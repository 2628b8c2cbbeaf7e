import NewsletterTestSupport
import Testing

@testable import NewsletterCore

@Suite("Email address rules")
struct EmailAddressTests {
    static let valid: [String] = [
        "alice@example.org",
        "Alice.Smith@Example.ORG",
        "a@b.co",
        "a@b",  // WHATWG accepts a single-label domain
        "first.last@sub.domain.example.org",
        "user+newsletter@example.org",
        "o'brien@example.ie",
        "x_y-z@example-domain.org",
        "1234567890@example.org",
        "user@123.example.org",
        "user@xn--bcher-kva.example",
        "!#$%&'*+/=?^_`{|}~-@example.org",
        String(repeating: "a", count: 64) + "@example.org",
        "a@" + String(repeating: "b", count: 63) + ".org",
        "a@" + [String](repeating: String(repeating: "d", count: 60), count: 4).joined(separator: ".") + ".org",  // 250 octets
        "carer@derbyshire.gov.uk",
    ]

    static let invalid: [(String, String)] = [
        ("", "it is empty"),
        ("alice", "it has no @"),
        ("alice@", "there is nothing after the @"),
        ("@example.org", "there is nothing before the @"),
        ("alice@@example.org", "it has more than one @"),
        ("a@b@example.org", "it has more than one @"),
        ("alice smith@example.org", "it contains a space"),
        ("alice@exa mple.org", "it contains a space"),
        ("alice@example.org\r\nRCPT TO:<victim@example.org>", "it contains a line break"),
        ("alice@example.org\nBcc: victim@example.org", "it contains a line break"),
        ("alice@example.org\rDATA", "it contains a line break"),
        ("alice\u{0}@example.org", "it contains a control character"),
        ("alice@example.org\u{0}", "it contains a control character"),
        ("alice\u{1B}[31m@example.org", "it contains a control character"),
        ("alice@example.org\t", ""),  // trimmed: valid; checked separately below
        ("Alice <alice@example.org>", "it contains a space"),
        ("<alice@example.org>", "it contains < or >; give the bare address, without a name or brackets"),
        ("alice@example.org>", "it contains < or >; give the bare address, without a name or brackets"),
        ("\"alice\"@example.org", "the part before the @ contains \"\\\"\", which is not allowed"),
        ("ali,ce@example.org", "the part before the @ contains \",\", which is not allowed"),
        ("ali(ce)@example.org", "the part before the @ contains \"(\", which is not allowed"),
        ("alice;@example.org", "the part before the @ contains \";\", which is not allowed"),
        (".alice@example.org", "the part before the @ starts or ends with a dot, or has two dots in a row"),
        ("alice.@example.org", "the part before the @ starts or ends with a dot, or has two dots in a row"),
        ("al..ice@example.org", "the part before the @ starts or ends with a dot, or has two dots in a row"),
        ("alice@example..org", "the domain has an empty part (a dot at the start, or two dots in a row)"),
        ("alice@.example.org", "the domain has an empty part (a dot at the start, or two dots in a row)"),
        ("alice@example.org.", "the domain ends with a dot"),
        ("alice@-example.org", "a part of the domain starts or ends with a hyphen"),
        ("alice@example-.org", "a part of the domain starts or ends with a hyphen"),
        ("alice@exam_ple.org", "the domain contains \"_\", which is not allowed"),
        ("alice@[127.0.0.1]", "the domain contains \"[\", which is not allowed"),
        ("alice@example.org:25", "the domain contains \":\", which is not allowed"),
        ("alice@example.org%0d%0a", "the domain contains \"%\", which is not allowed"),
        ("zoë@example.org", "it contains a character outside plain ASCII, which this list does not support"),
        ("alice@exämple.org", "it contains a character outside plain ASCII, which this list does not support"),
        ("alice@example\u{2028}.org", "it contains a line break"),
        ("alice@example\u{3000}.org", "it contains a space"),
        (String(repeating: "a", count: 65) + "@example.org", "the part before the @ is longer than 64 characters"),
        ("a@" + String(repeating: "b", count: 64) + ".org", "a part of the domain is longer than 63 characters"),
        ("a@" + [String](repeating: String(repeating: "d", count: 62), count: 4).joined(separator: ".") + ".org", "it is longer than 254 characters"),
        ("alice@example.org,bob@example.org", "it has more than one @"),
        ("MAIL FROM:<x@y.org>", "it contains a space"),
    ]

    @Test("accepts valid addresses", arguments: valid)
    func acceptsValid(_ address: String) throws {
        let parsed = try EmailAddress(address)
        #expect(parsed.value == address)
    }

    @Test("rejects invalid addresses with a reason", arguments: invalid.filter { !$0.1.isEmpty })
    func rejectsInvalid(_ address: String, _ reason: String) {
        #expect(EmailAddress.problem(with: address) == reason)
        #expect(throws: NewsletterError.self) { try EmailAddress(address) }
    }

    @Test("the table has at least 40 cases")
    func tableSize() {
        #expect(Self.valid.count + Self.invalid.count >= 40)
    }

    @Test("surrounding spaces are trimmed, and the address is kept as given")
    func trims() throws {
        #expect(try EmailAddress("  Alice@Example.org\t").value == "Alice@Example.org")
        #expect(try EmailAddress("\u{A0}bob@example.org ").value == "bob@example.org")
    }

    @Test("a line break is refused even at the end, where trimming could hide it")
    func trailingLineBreak() {
        #expect(throws: NewsletterError.self) { try EmailAddress("alice@example.org\n") }
        #expect(throws: NewsletterError.self) { try EmailAddress("alice@example.org\r\n") }
    }

    @Test("addresses compare case-insensitively")
    func caseInsensitive() throws {
        let a = try EmailAddress("Alice@Example.ORG")
        let b = try EmailAddress("alice@example.org")
        #expect(a == b)
        #expect(a.key == "alice@example.org")
        #expect(a.hash == b.hash)
        #expect(a.hash.count == 64)
    }

    @Test("the error message quotes the input safely and gives the reason")
    func errorMessage() {
        do {
            _ = try EmailAddress("bad\r\naddress")
            Issue.record("expected an error")
        } catch let error as NewsletterError {
            #expect(error.exitStatus == .dataError)
            #expect(error.message == #"invalid email address "bad\r\naddress": it contains a line break"#)
            #expect(!error.message.contains("\n"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("no accepted address holds a byte that could break a header or an SMTP command")
    func randomInputsNeverPassUnsafeBytes() {
        var generator = SeededGenerator(seed: 0x5EED)
        let alphabet = Array("ab.@-_+\r\n\0 <>\"'\t,;:é\u{7F}xyz019")
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...24, using: &generator)
            let candidate = String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
            guard let address = try? EmailAddress(candidate) else { continue }
            #expect(!address.value.utf8.contains { $0 < 0x21 || $0 > 0x7E || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") })
            #expect(address.value.utf8.filter { $0 == UInt8(ascii: "@") }.count == 1)
        }
    }
}
