import Foundation
import NewsletterCore

/// Header lines built one way only: every value is checked for CR, LF and NUL, so no value
/// can add a header or end the header section early.
enum HeaderField {
    static func line(_ name: String, _ value: String) throws -> String {
        if value.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) {
            throw NewsletterError.badData("the \(name) header would contain a line break or NUL: \(value.quotedForDisplay)")
        }
        return "\(name): \(value)\r\n"
    }

    /// `Name <address>`, the name quoted or RFC 2047-encoded as it needs.
    static func mailbox(_ mailbox: Mailbox) -> String {
        guard let name = mailbox.displayName, !name.isEmpty else { return mailbox.address.value }
        return "\(phrase(name)) <\(mailbox.address.value)>"
    }

    /// A display name or subject word sequence: plain when it is printable ASCII, else
    /// RFC 2047 base64 encoded words of UTF-8.
    static func phrase(_ text: String, quoted: Bool = true) -> String {
        if text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) {
            guard quoted else { return text }
            let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return "\"\(escaped)\""
        }
        // 45 bytes of UTF-8 encode to 60 characters: each word stays well under 76.
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 45 {
                words.append("=?utf-8?B?\(Data(chunk).base64EncodedString())?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?utf-8?B?\(Data(chunk).base64EncodedString())?=") }
        return words.joined(separator: " ")
    }

    /// RFC 5322 date-time in UTC: `Sat, 21 Nov 2026 09:46:05 +0000`.
    static func date(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(days[Int(parts.tm_wday)]), \(parts.tm_mday) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) +0000"
    }
}

/// The message `newsletterctl send-test` sends.
public enum TestMessage {
    /// A short plain-text message from `from` to `to`, with a fresh Message-ID in the From domain.
    public static func build(from: Mailbox, to: EmailAddress, replyTo: Mailbox?, siteName: String, date: Date = Date()) throws -> (
        messageID: String, data: Data
    ) {
        let messageID = "test.\(UUID().uuidString.lowercased())@\(from.address.domain)"
        var text = ""
        text += try HeaderField.line("From", HeaderField.mailbox(from))
        text += try HeaderField.line("To", to.value)
        if let replyTo { text += try HeaderField.line("Reply-To", HeaderField.mailbox(replyTo)) }
        text += try HeaderField.line("Subject", HeaderField.phrase("Test message from \(siteName)", quoted: false))
        text += try HeaderField.line("Date", HeaderField.date(date))
        text += try HeaderField.line("Message-ID", "<\(messageID)>")
        text += try HeaderField.line("MIME-Version", "1.0")
        text += try HeaderField.line("Content-Type", "text/plain; charset=utf-8")
        text += try HeaderField.line("Content-Transfer-Encoding", "8bit")
        text += try HeaderField.line("Auto-Submitted", "auto-generated")
        text += "\r\n"
        text += "This is a test message from carers-newsletter for \(siteName).\r\n"
        text += "\r\n"
        text += "It was sent with 'newsletterctl send-test' to check that mail from\r\n"
        text += "\(from.address) reaches \(to) through the configured relay.\r\n"
        return (messageID, Data(text.utf8))
    }
}
