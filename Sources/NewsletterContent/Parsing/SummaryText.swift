/// A page's summary: the first paragraph, ending on a complete thought.
///
/// Pages often introduce a list with a sentence ending in a colon ("An advocate is someone
/// who stands beside you so that you can:"); cut there, the summary says nothing. So the
/// list is folded into that sentence when the whole fits within the limit; otherwise the
/// summary is the complete sentences before it, or the next paragraph. A paragraph longer
/// than the limit keeps as many whole sentences as fit, and is only cut mid-sentence (with
/// an ellipsis) when its first sentence alone is too long.
enum SummaryText {
    /// Items folded in at most; a longer list is not a summary.
    static let maxItems = 12

    /// `paragraph` and `next` are collapsed text; `items` the list right after `paragraph`.
    static func make(paragraph: String, items: [String], next: String?, limit: Int = TextCleanup.summaryLimit) -> String? {
        let text = TextCleanup.collapse(paragraph)
        guard !text.isEmpty else { return nil }
        guard text.hasSuffix(":") else { return fit(text, limit: limit) }
        let listed = items.prefix(maxItems + 1).map(item).filter { !$0.isEmpty }
        if !listed.isEmpty, listed.count <= maxItems {
            let folded = text + " " + join(listed) + "."
            if folded.count <= limit { return folded }
        }
        let before = sentences(text).dropLast().joined(separator: " ")
        if !before.isEmpty { return fit(before, limit: limit) }
        if let next = next.map(TextCleanup.collapse), !next.isEmpty, !next.hasSuffix(":") { return fit(next, limit: limit) }
        return TextCleanup.clip(text, limit: limit)
    }

    /// The text if it fits; else the whole sentences from its start that fit; else cut.
    static func fit(_ text: String, limit: Int) -> String? {
        guard text.count > limit else { return text.isEmpty ? nil : text }
        var kept = ""
        for sentence in sentences(text) {
            let longer = kept.isEmpty ? sentence : kept + " " + sentence
            guard longer.count <= limit, endsSentence(sentence) else { break }
            kept = longer
        }
        return kept.isEmpty ? TextCleanup.clip(text, limit: limit) : kept
    }

    /// Sentences of collapsed text: a break after ".", "!" or "?" (and any closing quote or
    /// bracket) followed by a space and a capital, a digit or an opening quote, so "e.g. a"
    /// and "£3.50" stay whole.
    static func sentences(_ text: String) -> [String] {
        // Indices into an array, never String.dropLast or count: those walk the whole string,
        // and a 300 KB paragraph of short words took 40 s.
        let chars = Array(text)
        var result: [String] = []
        var start = 0
        for index in chars.indices where chars[index] == " " && index + 1 < chars.count && startsSentence(chars[index + 1]) {
            var end = index - 1
            while end >= start, closers.contains(chars[end]) { end -= 1 }
            guard end >= start, terminators.contains(chars[end]) else { continue }
            result.append(String(chars[start..<index]))
            start = index + 1
        }
        if start < chars.count { result.append(String(chars[start...])) }
        return result
    }

    private static let terminators: Set<Character> = [".", "!", "?"]
    private static let closers: Set<Character> = ["\"", "'", "”", "’", ")", "]"]

    private static func startsSentence(_ char: Character) -> Bool {
        char.isUppercase || char.isNumber || ["\"", "'", "“", "‘", "("].contains(char)
    }

    private static func endsSentence(_ sentence: String) -> Bool {
        guard let last = sentence.last(where: { !closers.contains($0) }) else { return false }
        return terminators.contains(last)
    }

    /// A list item as part of a sentence: no closing punctuation or trailing "and"/"or",
    /// and a capital lowered when the word is not an acronym ("Give advice", not "NHS").
    static func item(_ raw: String) -> String {
        var text = TextCleanup.collapse(raw)
        while let last = text.last, [".", ",", ";", " "].contains(last) { text.removeLast() }
        for tail in [" and", " or"] where text.lowercased().hasSuffix(tail) {
            text.removeLast(tail.count)
            while let last = text.last, [",", ";", " "].contains(last) { text.removeLast() }
        }
        let chars = Array(text.prefix(2))
        if chars.count == 2, chars[0].isUppercase, chars[1].isLowercase {
            text = chars[0].lowercased() + text.dropFirst()
        }
        return text
    }

    /// "a", "a and b", "a, b, and c"; an item already starting "and"/"or" gets no "and".
    static func join(_ items: [String]) -> String {
        guard items.count > 1, let last = items.last else { return items.first ?? "" }
        let lower = last.lowercased()
        let tail = lower.hasPrefix("and ") || lower.hasPrefix("or ") ? last : "and " + last
        return items.count == 2 ? items[0] + " " + tail : items.dropLast().joined(separator: ", ") + ", " + tail
    }
}
