/// Topics are compared as slugs: "Mental Health", "mental_health" and "mental-health" are one
/// topic, whether a subscriber chose it or a page's folder or front matter named it.
public enum Topic {
    public static let maxLength = 64

    /// The slug of `raw`: lowercased letters and digits, other runs turned into one hyphen;
    /// nil when nothing is left.
    public static func slug(_ raw: String) -> String? {
        var slug = ""
        var pendingHyphen = false
        for character in raw.lowercased() {
            if character.isLetter || character.isNumber {
                if pendingHyphen && !slug.isEmpty { slug.append("-") }
                pendingHyphen = false
                slug.append(character)
            } else {
                pendingHyphen = true
            }
        }
        return slug.isEmpty ? nil : slug
    }

    /// Slugs of the given topics, deduplicated, in their first order.
    public static func slugs(_ raw: [String]) throws -> [String] {
        var seen: Set<String> = []
        var result: [String] = []
        for topic in raw {
            if topic.hasLineBreakOrControl {
                throw NewsletterError.badData("topic \(topic.quotedForDisplay) contains a line break or control character")
            }
            guard let slug = slug(topic) else {
                throw NewsletterError.badData("topic \(topic.quotedForDisplay) has no letters or digits")
            }
            guard slug.count <= maxLength else {
                throw NewsletterError.badData("topic \(topic.quotedForDisplay) is longer than \(maxLength) characters")
            }
            if seen.insert(slug).inserted { result.append(slug) }
        }
        return result
    }

    /// Topics as a `;`-separated list, the form CSV files use.
    public static func slugs(semicolonSeparated text: String) throws -> [String] {
        try slugs(text.split(separator: ";").map { String($0) }.filter { !$0.allSatisfy(\.isWhitespace) })
    }
}
