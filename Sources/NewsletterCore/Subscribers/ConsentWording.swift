/// The wording a person agreed to, kept in the consent log and shown by `subscribers show`:
/// one line of text, checked like a name.
public enum ConsentWording {
    public static let maxLength = 1000

    /// The trimmed wording; throws for line breaks, control characters, excess length, or
    /// nothing at all.
    public static func validated(_ raw: String) throws -> String {
        let wording = raw.trimmingSpaces
        if wording.isEmpty { throw NewsletterError.badData("the consent wording is empty; give the words they agreed to") }
        if wording.hasLineBreakOrControl {
            throw NewsletterError.badData("the consent wording \(wording.quotedForDisplay) contains a line break or control character; give it as one line")
        }
        if wording.count > maxLength {
            throw NewsletterError.badData("the consent wording is \(wording.count) characters; keep it to \(maxLength)")
        }
        return wording
    }
}
