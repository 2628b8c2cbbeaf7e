/// Collects warnings by kind so a document with 40,000 bad dates yields one line
/// ("40000 lastmod values could not be read, e.g. …") rather than 40,000.
struct WarningTally: Sendable {
    private var order: [String] = []
    private var counts: [String: Int] = [:]
    private var singulars: [String: String] = [:]
    private var examples: [String: String] = [:]
    private var singles: [String] = []

    /// Records one occurrence of a kind of problem, phrased for one and for many,
    /// e.g. "lastmod value could not be read" / "lastmod values could not be read".
    mutating func note(one singular: String, many plural: String, example: String? = nil) {
        if counts[plural] == nil {
            order.append(plural)
            singulars[plural] = singular
            if let example { examples[plural] = Self.shorten(example) }
        }
        counts[plural, default: 0] += 1
    }

    /// Records a warning that happens at most once per document.
    mutating func add(_ message: String) {
        if !singles.contains(message) { singles.append(message) }
    }

    var messages: [String] {
        singles + order.map { kind in
            let count = counts[kind] ?? 0
            let example = examples[kind].map { ", e.g. \"\($0)\"" } ?? ""
            let phrase = count == 1 ? singulars[kind] ?? kind : kind
            return "\(count) \(phrase)\(example)"
        }
    }

    private static func shorten(_ text: String) -> String {
        let flat = HTMLText.normalizeWhitespace(text)
        return flat.count > 60 ? String(flat.prefix(59)) + "…" : flat
    }
}

/// Text gathered from one element, capped at a byte budget so a single enormous field
/// (a whole archive pasted into `content:encoded`) cannot exhaust memory.
struct BoundedText: Sendable {
    private(set) var value = ""
    private(set) var truncated = false
    private var byteCount = 0
    let limit: Int

    init(limit: Int) {
        self.limit = max(0, limit)
    }

    mutating func append(_ text: String) {
        guard !truncated else { return }
        let size = text.utf8.count
        if byteCount + size <= limit {
            value += text
            byteCount += size
            return
        }
        // Cut on a Unicode scalar boundary so the kept text stays valid.
        var room = limit - byteCount
        var kept = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let width = UTF8.width(scalar)
            guard width <= room else { break }
            kept.append(scalar)
            room -= width
        }
        value += String(kept)
        byteCount = limit - room
        truncated = true
    }

    mutating func appendSeparator() {
        if !value.isEmpty, value.last != " " { append(" ") }
    }
}
