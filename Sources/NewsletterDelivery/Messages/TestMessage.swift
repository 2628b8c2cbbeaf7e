import Foundation
import NewsletterCore

/// The message `newsletterctl send-test` sends: short plain text, built with the same header
/// serializer and quoted-printable encoder as every digest.
public enum TestMessage {
    /// A message from `from` to `to`, with a fresh Message-ID in the From domain.
    public static func build(from: Mailbox, to: EmailAddress, replyTo: Mailbox?, siteName: String, date: Date = Date()) throws -> (
        messageID: String, data: Data
    ) {
        let messageID = MessageIDGenerator(domain: from.address.domain, at: date).next()
        var header = try HeaderEncoding.line("Date", MessageDate.format(date))
        header += try HeaderEncoding.line("From", try HeaderEncoding.mailbox(from))
        if let replyTo { header += try HeaderEncoding.line("Reply-To", try HeaderEncoding.mailbox(replyTo)) }
        header += try HeaderEncoding.line("To", try HeaderEncoding.mailbox(Mailbox(displayName: nil, address: to)))
        header += try HeaderEncoding.line("Subject", try HeaderEncoding.unstructured("Test message from \(siteName)"))
        header += try HeaderEncoding.line("Message-ID", "<\(messageID)>")
        header += try HeaderEncoding.line("MIME-Version", "1.0")
        header += try HeaderEncoding.line("Content-Type", "text/plain; charset=utf-8")
        header += try HeaderEncoding.line("Content-Transfer-Encoding", "quoted-printable")
        header += try HeaderEncoding.line("Auto-Submitted", "auto-generated")
        let text = """
            This is a test message from carers-newsletter for \(siteName).

            It was sent with 'newsletterctl send-test' to check that mail from
            \(from.address) reaches \(to) through the configured relay.

            """
        var out = Array((header + "\r\n").utf8)
        QuotedPrintable.encode(text.utf8, into: &out)
        return (messageID, Data(out))
    }
}
