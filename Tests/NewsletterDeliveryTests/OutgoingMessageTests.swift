import Foundation
import NewsletterCore
import NewsletterTestSupport
import Testing

@testable import NewsletterDelivery

@Suite("Checking messages before they reach libcurl")
struct OutgoingMessageTests {
    @Test("bare LF and bare CR line ends become CRLF; CRLF messages pass untouched")
    func lineEnds() throws {
        let message = try OutgoingMessage(from: "a@example.org", to: "b@example.org", data: Data("Subject: x\nTo: b\r\n\nline one\rline two\n".utf8))
        #expect(message.data == Data("Subject: x\r\nTo: b\r\n\r\nline one\r\nline two\r\n".utf8))
        let clean = Data("Subject: x\r\n\r\nbody\r\n".utf8)
        #expect(try OutgoingMessage(from: "a@example.org", to: "b@example.org", data: clean).data == clean)
    }

    @Test(
        "malformed messages and addresses are refused",
        arguments: [
            ("a@example.org", "b@example.org", "no header section at all", "Name: value"),
            ("a@example.org", "b@example.org", "Subject: only headers\r\n", "no header section"),
            ("a@example.org", "b@example.org", "Subject: x\r\nBcc b@evil.example\r\n\r\nbody", "Name: value"),
            ("a@example.org", "b@example.org", "Subject: x\u{0}y\r\n\r\nbody", "NUL"),
            ("a@example.org", "b@example.org", "Subject: \(String(repeating: "x", count: 1000))\r\n\r\nbody", "longer than 998"),
            ("a@example.org", "b@example.org\r\nRCPT TO:<c@evil.example>", "Subject: x\r\n\r\nbody", "line break"),
            ("a@example.org>\nX", "b@example.org", "Subject: x\r\n\r\nbody", "line break"),
            (" a@example.org", "b@example.org", "Subject: x\r\n\r\nbody", "surrounding spaces"),
        ])
    func refused(from: String, to: String, body: String, problem: String) {
        let error = #expect(throws: MessageError.self) { try OutgoingMessage(from: from, to: to, data: Data(body.utf8)) }
        #expect(error?.code == .unsendable)
        #expect(error?.message.contains(problem) == true, "\(error?.message ?? "")")
    }

    @Test("the test message has CRLF lines, an encoded non-ASCII subject and no way to inject a header")
    func testMessage() async throws {
        let from = try Mailbox(parsing: "Gofalwyr Môn <news@example.org>")
        let built = try TestMessage.build(from: from, to: try EmailAddress("x@example.org"), replyTo: nil, siteName: "Gofalwyr Môn")
        let text = String(decoding: built.data, as: UTF8.self)
        #expect(text.contains("From: =?utf-8?B?"))
        #expect(text.contains("Message-ID: <\(built.messageID)>"))
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        _ = try OutgoingMessage(from: from.address, to: try EmailAddress("x@example.org"), data: built.data)
        // A line break in a value is refused by the one header serializer, never written.
        #expect(throws: NewsletterError.self) {
            try TestMessage.build(from: from, to: try EmailAddress("x@example.org"), replyTo: nil, siteName: "Carers\r\nBcc: all@example.org")
        }
        #expect(throws: NewsletterError.self) { try HeaderEncoding.unstructured("a\r\nBcc: all@example.org") }
        let parsed = try await PythonEmail.parse(built.data)
        #expect(parsed.defects.isEmpty)
        #expect(parsed.header("Subject") == "Test message from Gofalwyr Môn")
    }
}
