/// What differs between recipients of one edition. Templates are rendered once per edition
/// with a placeholder for each of these; the renderer fills them in for each message. Links
/// differ only in their token: the edition holds `https://.../unsubscribe/` followed by the
/// token's placeholder, so each outbox row stores a few short values.
///
/// A placeholder is a number between two private-use characters: HTML escaping leaves it
/// alone and case transforms cannot change it.
public enum RecipientSlot: Int, Sendable, CaseIterable {
    case name = 1
    case email = 2
    case unsubscribeToken = 3
    case preferencesToken = 4
    case confirmToken = 5
    /// The name the greeting uses (`Subscriber.greetingName`), which templates see as
    /// `recipient.name`; the full name (slot `name`) goes in the To: line.
    case greeting = 6

    static let open: Unicode.Scalar = "\u{E000}"
    static let close: Unicode.Scalar = "\u{E001}"

    /// The placeholder templates see.
    public var placeholder: String { "\u{E000}\(rawValue)\u{E001}" }

    /// The merge-field key this slot's value is stored under.
    public var mergeKey: String {
        switch self {
        case .name: "name"
        case .email: "email"
        case .unsubscribeToken: "unsubscribe"
        case .preferencesToken: "preferences"
        case .confirmToken: "confirm"
        case .greeting: "greeting"
        }
    }

    /// `text` with each placeholder replaced by `value(slot)`.
    static func fill(_ text: Substring, _ value: (RecipientSlot) -> String) -> String {
        var out = ""
        var rest = text
        while let open = rest.unicodeScalars.firstIndex(of: Self.open) {
            out += rest[..<open]
            let afterOpen = rest.unicodeScalars.index(after: open)
            guard let close = rest.unicodeScalars[afterOpen...].firstIndex(of: Self.close) else {
                out += rest[open...]
                return out
            }
            if let number = Int(String(rest.unicodeScalars[afterOpen..<close])), let slot = RecipientSlot(rawValue: number) {
                out += value(slot)
            }
            rest = rest[rest.unicodeScalars.index(after: close)...]
        }
        return out + rest
    }

    /// `text` without the placeholder characters, for every value a template shows that comes
    /// from pages or the config: a page title holding U+E000 (an icon font's glyph, say) could
    /// otherwise fill in a recipient's field, or swallow the text up to the next placeholder.
    static func inert(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0 == open || $0 == close }) else { return text }
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: text.unicodeScalars.lazy.filter { $0 != open && $0 != close })
        return String(scalars)
    }

    static func contains(in text: Substring) -> Bool {
        text.unicodeScalars.contains(Self.open)
    }
}
