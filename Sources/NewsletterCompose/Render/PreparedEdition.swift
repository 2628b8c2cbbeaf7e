import Foundation
import NewsletterCore

/// An edition made ready to render many times: its parts pre-encoded, its fixed headers kept.
struct PreparedEdition: Sendable {
    static let boundary = "=_carers-newsletter_alternative"

    let kind: MessageKind
    let fixedHeaders: String
    let subject: String
    let text: PreparedPart
    let html: PreparedPart?

    init(_ edition: Edition) {
        kind = edition.kind
        fixedHeaders = edition.headers
        subject = edition.subject
        text = PreparedPart(edition.text)
        html = edition.html.map(PreparedPart.init)
    }

    /// The message for one recipient. `merge` holds the slot values (see ``RecipientSlot``);
    /// the fixed headers (Date, From, List-Unsubscribe...) may hold token placeholders too.
    func render(messageID: String, to address: String, merge: [String: String]) throws -> Data {
        let recipient = try EmailAddress(address)
        for value in merge.values { try HeaderEncoding.checkValue(value) }
        let name = merge[RecipientSlot.name.mergeKey].flatMap { $0.isEmpty ? nil : $0 }
        func raw(_ slot: RecipientSlot) -> String {
            switch slot {
            case .email: return recipient.value
            // Rows queued without a greeting field greet by the full name, as before.
            case .greeting: return merge[slot.mergeKey] ?? merge[RecipientSlot.name.mergeKey] ?? ""
            default: return merge[slot.mergeKey] ?? ""
            }
        }

        var header = RecipientSlot.fill(fixedHeaders[...], raw)
        header += try HeaderEncoding.line("To", try HeaderEncoding.mailbox(Mailbox(displayName: name, address: recipient)))
        header += try HeaderEncoding.line("Subject", try HeaderEncoding.unstructured(RecipientSlot.fill(subject[...], raw)))
        try HeaderEncoding.checkValue(messageID)
        header += try HeaderEncoding.line("Message-ID", "<\(messageID)>")
        header += try HeaderEncoding.line("MIME-Version", "1.0")

        var out = [UInt8]()
        out.reserveCapacity(header.utf8.count + 4096)
        out.append(contentsOf: header.utf8)
        let textHeaders = "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n"
        guard let html else {
            out.append(contentsOf: textHeaders.utf8)
            out.append(contentsOf: [0x0D, 0x0A])
            text.write(into: &out, value: raw)
            return Data(out)
        }
        out.append(contentsOf: "Content-Type: multipart/alternative; boundary=\"\(Self.boundary)\"\r\n\r\n".utf8)
        out.append(contentsOf: "--\(Self.boundary)\r\n\(textHeaders)\r\n".utf8)
        text.write(into: &out, value: raw)
        out.append(contentsOf: "--\(Self.boundary)\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n".utf8)
        html.write(into: &out) { HTMLEscape.escape(raw($0)) }
        out.append(contentsOf: "--\(Self.boundary)--\r\n".utf8)
        return Data(out)
    }
}
