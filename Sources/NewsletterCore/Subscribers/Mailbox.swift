/// An address with an optional display name, as in `Derbyshire Carers <news@carers.example.org>`.
public struct Mailbox: Sendable, Equatable, CustomStringConvertible {
    public var displayName: String?
    public var address: EmailAddress

    public init(displayName: String?, address: EmailAddress) {
        self.displayName = displayName
        self.address = address
    }

    /// Parses `Name <address>` or a bare address. Throws for line breaks or control
    /// characters anywhere, so nothing parsed here can break a header.
    public init(parsing text: String) throws {
        if text.hasLineBreakOrControl {
            throw NewsletterError.badData("\(text.quotedForDisplay) contains a line break or control character")
        }
        let trimmed = text.trimmingSpaces
        guard trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") else {
            self.init(displayName: nil, address: try EmailAddress(trimmed))
            return
        }
        let address = try EmailAddress(String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)]))
        var name = String(trimmed[..<open]).trimmingSpaces
        if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") {
            name = String(name.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
        }
        self.init(displayName: name.isEmpty ? nil : name, address: address)
    }

    public var description: String {
        guard let displayName else { return address.value }
        return "\(displayName) <\(address.value)>"
    }
}
