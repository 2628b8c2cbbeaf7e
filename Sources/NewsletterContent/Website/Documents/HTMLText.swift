/// Turns the HTML found in feed descriptions into short plain text.
///
/// This is not an HTML parser: it only needs to drop markup and decode entities well
/// enough for a newsletter teaser, and must stay linear-time on hostile input
/// (unclosed comments, unbalanced quotes, endless tags).
enum HTMLText {
    /// Plain text from an HTML fragment: tags, comments, scripts and styles removed,
    /// entities decoded, whitespace collapsed.
    static func plainText(fromHTML html: String) -> String {
        let s = Array(html.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < s.count {
            let c = s[i]
            if c == "<" {
                if let next = markupEnd(s, at: i, out: &out) {
                    i = next
                    continue
                }
            } else if c == "&", let (decoded, length) = entity(s, at: i) {
                out.append(contentsOf: decoded)
                i += length
                continue
            }
            out.append(c)
            i += 1
        }
        return normalizeWhitespace(String(out))
    }

    /// Collapses runs of whitespace to one space, trims, and drops invisible
    /// characters (soft hyphens, zero-width spaces, stray C0/C1 controls), mapping the
    /// C1 range the way browsers do, since it is almost always mislabelled Windows-1252.
    static func normalizeWhitespace(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            var scalar = scalar
            if (0x80...0x9F).contains(scalar.value) {
                guard let mapped = windows1252[scalar.value].flatMap(Unicode.Scalar.init) else { continue }
                scalar = mapped
            }
            if scalar.properties.isWhitespace {
                pendingSpace = !out.isEmpty
                continue
            }
            if invisible.contains(scalar.value) || scalar.value < 0x20 || scalar.value == 0x7F { continue }
            if pendingSpace {
                out.append(" ")
                pendingSpace = false
            }
            out.append(scalar)
        }
        return String(out)
    }

    /// A teaser of at most about `limit` characters, cut at a sentence end when one
    /// falls in the last 40% of the allowance, else at a word break, and marked with "…".
    /// WordPress's "The post X appeared first on Y." footer and "[…]" read-more
    /// markers are removed first because they are noise in a newsletter.
    static func summary(_ text: String, limit: Int = 300) -> String {
        var text = normalizeWhitespace(text)
        if let footer = text.range(of: "The post ", options: .backwards),
           text[footer.upperBound...].contains(" appeared first on ") {
            text = String(text[..<footer.lowerBound]).trimmingTrailingSpaces()
        }
        for marker in ["[…]", "[...]", "[&hellip;]", "[&#8230;]"] where text.hasSuffix(marker) {
            text = String(text.dropLast(marker.count)).trimmingTrailingSpaces() + "…"
        }
        let characters = Array(text)
        guard limit > 0, characters.count > limit else { return text }

        let sentenceFloor = limit * 6 / 10
        var k = limit - 1
        while k >= sentenceFloor {
            if ".!?".contains(characters[k]), characters[k + 1] == " " {
                return String(characters[...k]) + " …"
            }
            k -= 1
        }
        var cut = limit
        while cut > limit / 2, characters[cut] != " " { cut -= 1 }
        if characters[cut] != " " { cut = limit }
        var head = String(characters[..<cut]).trimmingTrailingSpaces()
        while let last = head.last, ",;:-–—(".contains(last) {
            head.removeLast()
            head = head.trimmingTrailingSpaces()
        }
        return head + "…"
    }

    /// Code point for an HTML named entity (case-sensitive, as in HTML).
    static func namedEntity(_ name: String) -> UInt32? { namedEntities[name] }

    // MARK: - Markup

    /// Elements whose content is never visible text.
    private static let hiddenElements: Set<String> = [
        "script", "style", "noscript", "template", "iframe", "object", "svg", "head", "title",
    ]

    /// Elements that separate words even though no space is written between them.
    private static let breakingElements: Set<String> = [
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
        "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "img", "li",
        "main", "nav", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul",
    ]

    /// Consumes markup starting at `<`; returns the index after it, or nil if the `<`
    /// is literal text (as in "a < b").
    private static func markupEnd(_ s: [Unicode.Scalar], at start: Int, out: inout String.UnicodeScalarView) -> Int? {
        if hasPrefix(s, at: start, "<!--") {
            return find(s, "-->", from: start + 4).map { $0 + 3 } ?? s.count
        }
        if hasPrefix(s, at: start, "<![CDATA[") {
            let end = find(s, "]]>", from: start + 9) ?? s.count
            out.append(contentsOf: s[(start + 9)..<end])
            return min(s.count, end + 3)
        }
        guard start + 1 < s.count else { return nil }
        var j = start + 1
        let first = s[j]
        guard isASCIILetter(first) || first == "/" || first == "!" || first == "?" else { return nil }
        let closing = first == "/"
        if closing { j += 1 }
        var name = ""
        while j < s.count, isASCIILetter(s[j]) || ("0"..."9").contains(s[j]) || s[j] == "-" {
            name.unicodeScalars.append(s[j])
            j += 1
        }
        name = name.lowercased()
        let tagEnd = endOfTag(s, from: j)
        if breakingElements.contains(name) { out.append(" ") }
        let selfClosing = tagEnd >= 2 && s[tagEnd - 1] == ">" && s[tagEnd - 2] == "/"
        if !closing, !selfClosing, hiddenElements.contains(name) {
            // Skip to the matching close tag; an unclosed <script> hides the rest.
            guard let close = findCaseInsensitive(s, "</" + name, from: tagEnd) else { return s.count }
            return endOfTag(s, from: close + 2 + name.unicodeScalars.count)
        }
        return tagEnd
    }

    /// Index just past the `>` closing a tag. Quotes only count when they open an
    /// attribute value, so a stray apostrophe cannot swallow the rest of the text.
    private static func endOfTag(_ s: [Unicode.Scalar], from start: Int) -> Int {
        var k = start
        var quote: Unicode.Scalar?
        var lastNonSpace: Unicode.Scalar = " "
        while k < s.count {
            let c = s[k]
            if let q = quote {
                if c == q { quote = nil }
            } else if (c == "\"" || c == "'") && lastNonSpace == "=" {
                quote = c
            } else if c == ">" {
                return k + 1
            }
            if !c.properties.isWhitespace { lastNonSpace = c }
            k += 1
        }
        return s.count
    }

    // MARK: - Entities

    /// Decodes `&name;`, `&#123;` or `&#x1F;` at `start`; nil means the `&` is literal.
    private static func entity(_ s: [Unicode.Scalar], at start: Int) -> ([Unicode.Scalar], Int)? {
        var j = start + 1
        guard j < s.count else { return nil }
        if s[j] == "#" {
            j += 1
            let hex = j < s.count && (s[j] == "x" || s[j] == "X")
            if hex { j += 1 }
            var value: UInt32 = 0
            var digits = 0
            while j < s.count, digits < 8, let digit = digitValue(s[j], hex: hex) {
                value = value * (hex ? 16 : 10) + digit
                digits += 1
                j += 1
            }
            guard digits > 0 else { return nil }
            if j < s.count, s[j] == ";" { j += 1 }
            return ([codePoint(value)], j - start)
        }
        var name = ""
        while j < s.count, name.unicodeScalars.count < 32, isASCIILetter(s[j]) || ("0"..."9").contains(s[j]) {
            name.unicodeScalars.append(s[j])
            j += 1
        }
        guard j < s.count, s[j] == ";", let value = namedEntities[name],
              let scalar = Unicode.Scalar(value) else { return nil }
        return ([scalar], j + 1 - start)
    }

    /// HTML's rules for numeric references: C1 values are Windows-1252, and
    /// NUL, surrogates and out-of-range values become U+FFFD.
    private static func codePoint(_ value: UInt32) -> Unicode.Scalar {
        if let mapped = windows1252[value].flatMap(Unicode.Scalar.init) { return mapped }
        guard value != 0, let scalar = Unicode.Scalar(value) else { return "\u{FFFD}" }
        return scalar
    }

    private static func digitValue(_ c: Unicode.Scalar, hex: Bool) -> UInt32? {
        switch c {
        case "0"..."9": c.value - 48
        case "a"..."f" where hex: c.value - 87
        case "A"..."F" where hex: c.value - 55
        default: nil
        }
    }

    // MARK: - Scanning helpers

    private static func isASCIILetter(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c)
    }

    private static func hasPrefix(_ s: [Unicode.Scalar], at start: Int, _ prefix: String) -> Bool {
        var k = start
        for p in prefix.unicodeScalars {
            guard k < s.count, s[k] == p else { return false }
            k += 1
        }
        return true
    }

    private static func find(_ s: [Unicode.Scalar], _ needle: String, from start: Int) -> Int? {
        let n = Array(needle.unicodeScalars)
        guard let first = n.first, start < s.count else { return nil }
        var k = start
        while k + n.count <= s.count {
            if s[k] == first, hasPrefix(s, at: k, needle) { return k }
            k += 1
        }
        return nil
    }

    private static func findCaseInsensitive(_ s: [Unicode.Scalar], _ needle: String, from start: Int) -> Int? {
        let n = Array(needle.lowercased().unicodeScalars)
        var k = start
        while k + n.count <= s.count {
            var matched = true
            for (offset, p) in n.enumerated() {
                let c = s[k + offset]
                let lowered = ("A"..."Z").contains(c) ? Unicode.Scalar(c.value + 32) ?? c : c
                if lowered != p { matched = false; break }
            }
            if matched { return k }
            k += 1
        }
        return nil
    }

    // MARK: - Tables

    private static let invisible: Set<UInt32> = [0x00AD, 0x200B, 0x2060, 0xFEFF]

    /// Windows-1252 meanings of 0x80–0x9F, as browsers apply them.
    private static let windows1252: [UInt32: UInt32] = [
        0x80: 0x20AC, 0x82: 0x201A, 0x83: 0x0192, 0x84: 0x201E, 0x85: 0x2026, 0x86: 0x2020,
        0x87: 0x2021, 0x88: 0x02C6, 0x89: 0x2030, 0x8A: 0x0160, 0x8B: 0x2039, 0x8C: 0x0152,
        0x8E: 0x017D, 0x91: 0x2018, 0x92: 0x2019, 0x93: 0x201C, 0x94: 0x201D, 0x95: 0x2022,
        0x96: 0x2013, 0x97: 0x2014, 0x98: 0x02DC, 0x99: 0x2122, 0x9A: 0x0161, 0x9B: 0x203A,
        0x9C: 0x0153, 0x9E: 0x017E, 0x9F: 0x0178,
    ]

    /// Latin-1 supplement names, in code point order from U+00A0.
    static let latin1EntityNames = [
        "nbsp", "iexcl", "cent", "pound", "curren", "yen", "brvbar", "sect", "uml", "copy", "ordf",
        "laquo", "not", "shy", "reg", "macr", "deg", "plusmn", "sup2", "sup3", "acute", "micro",
        "para", "middot", "cedil", "sup1", "ordm", "raquo", "frac14", "frac12", "frac34", "iquest",
        "Agrave", "Aacute", "Acirc", "Atilde", "Auml", "Aring", "AElig", "Ccedil", "Egrave",
        "Eacute", "Ecirc", "Euml", "Igrave", "Iacute", "Icirc", "Iuml", "ETH", "Ntilde", "Ograve",
        "Oacute", "Ocirc", "Otilde", "Ouml", "times", "Oslash", "Ugrave", "Uacute", "Ucirc", "Uuml",
        "Yacute", "THORN", "szlig", "agrave", "aacute", "acirc", "atilde", "auml", "aring", "aelig",
        "ccedil", "egrave", "eacute", "ecirc", "euml", "igrave", "iacute", "icirc", "iuml", "eth",
        "ntilde", "ograve", "oacute", "ocirc", "otilde", "ouml", "divide", "oslash", "ugrave",
        "uacute", "ucirc", "uuml", "yacute", "thorn", "yuml",
    ]

    private static let namedEntities: [String: UInt32] = {
        var table: [String: UInt32] = [
            "amp": 38, "lt": 60, "gt": 62, "quot": 34, "apos": 39,
            "OElig": 338, "oelig": 339, "Scaron": 352, "scaron": 353, "Yuml": 376, "fnof": 402,
            "circ": 710, "tilde": 732, "ensp": 8194, "emsp": 8195, "thinsp": 8201, "zwnj": 8204,
            "zwj": 8205, "lrm": 8206, "rlm": 8207, "ndash": 8211, "mdash": 8212, "lsquo": 8216,
            "rsquo": 8217, "sbquo": 8218, "ldquo": 8220, "rdquo": 8221, "bdquo": 8222,
            "dagger": 8224, "Dagger": 8225, "bull": 8226, "hellip": 8230, "permil": 8240,
            "prime": 8242, "Prime": 8243, "lsaquo": 8249, "rsaquo": 8250, "euro": 8364,
            "trade": 8482, "larr": 8592, "uarr": 8593, "rarr": 8594, "darr": 8595, "harr": 8596,
            "hearts": 9829, "check": 10003,
        ]
        for (offset, name) in latin1EntityNames.enumerated() {
            table[name] = 0xA0 + UInt32(offset)
        }
        return table
    }()
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
