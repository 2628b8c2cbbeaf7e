/// Byte-level checks and clean-up done before any XML parser sees a document.
///
/// Doing these on bytes rather than trusting the parser's options keeps the safety
/// properties independent of the libxml2 version Foundation happens to link:
/// - any DOCTYPE is removed, so no DTD (internal or external) can declare entities,
///   which rules out billion-laughs, quadratic-blowup and external-entity attacks;
/// - HTML named entities (`&nbsp;`, `&rsquo;`), which careless feeds use without
///   declaring, are rewritten as numeric references the parser always understands;
/// - HTML pages and non-markup responses are recognised up front, so they are reported
///   as "not a sitemap/feed" rather than as an obscure XML syntax error.
enum XMLInput {
    enum Rejection: Error, Equatable, Sendable {
        case empty
        case html(title: String?)
        case notMarkup(preview: String)
    }

    struct Prepared: Sendable {
        var bytes: [UInt8]
        var notes: [String]
    }

    /// Undoes gzip (by magic number, at most twice, for servers that compress an
    /// already-compressed `.xml.gz`) and enforces the size limit on the result.
    static func decompressed(_ bytes: [UInt8], limits: WebDocumentLimits) throws(WebDocumentError) -> [UInt8] {
        var current = bytes
        var rounds = 0
        while Gzip.isGzip(current), rounds < 2 {
            current = try Gzip.inflate(current, limit: limits.maxBytes)
            rounds += 1
        }
        guard current.count <= limits.maxBytes else { throw .tooLarge(limit: limits.maxBytes) }
        return current
    }

    static func prepare(_ input: [UInt8]) -> Result<Prepared, Rejection> {
        var notes: [String] = []
        var bytes = input
        if let utf8 = transcodedFromUTF16(input) {
            bytes = utf8
        }

        let bomLength = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        if let moved = withLeadingSpaceMoved(bytes, from: bomLength) {
            bytes = moved
            notes.append("blank lines before the XML declaration were ignored (strict feed readers reject this)")
        }
        var i = bomLength
        var doctype: Range<Int>?
        var doctypeHadSubset = false
        prolog: while true {
            while i < bytes.count, isSpace(bytes[i]) { i += 1 }
            guard i < bytes.count else { return .failure(.empty) }
            guard bytes[i] == ascii("<") else {
                return .failure(.notMarkup(preview: preview(bytes, from: i)))
            }
            if hasPrefix(bytes, at: i, "<?") {
                guard let end = find(bytes, "?>", from: i + 2) else { break prolog }
                i = end + 2
            } else if hasPrefix(bytes, at: i, "<!--") {
                guard let end = find(bytes, "-->", from: i + 4) else { break prolog }
                i = end + 3
            } else if hasPrefixIgnoringCase(bytes, at: i, "<!doctype") {
                var j = i + 9
                while j < bytes.count, isSpace(bytes[j]) { j += 1 }
                let name = readName(bytes, from: j)
                if name.lowercased() == "html" { return .failure(.html(title: htmlTitle(bytes))) }
                let (end, hadSubset) = endOfDoctype(bytes, from: j)
                doctype = i..<end
                doctypeHadSubset = hadSubset
                i = end
            } else if i + 1 < bytes.count, isNameStart(bytes[i + 1]) {
                let name = readName(bytes, from: i + 1)
                let local = name.split(separator: ":").last.map(String.init) ?? name
                if local.lowercased() == "html" { return .failure(.html(title: htmlTitle(bytes))) }
                break prolog
            } else {
                break prolog
            }
        }

        if let doctype {
            // Keep the newlines so parser line numbers still match the original file.
            let newlines = bytes[doctype].filter { $0 == 0x0A }
            bytes.replaceSubrange(doctype, with: newlines)
            if doctypeHadSubset {
                notes.append("the document's inline DTD was ignored; its entity declarations are not used")
            }
        }
        bytes = withHTMLEntitiesAsNumeric(bytes)
        return .success(Prepared(bytes: bytes, notes: notes))
    }

    // MARK: - Steps

    /// A stray blank line before `<?xml` (typically echoed by a WordPress theme or plugin)
    /// makes the document invalid. The whitespace is moved to just after the declaration,
    /// which keeps the parser's line numbers matching the original file.
    private static func withLeadingSpaceMoved(_ b: [UInt8], from start: Int) -> [UInt8]? {
        var k = start
        while k < b.count, isSpace(b[k]) { k += 1 }
        guard k > start, hasPrefix(b, at: k, "<?xml"), k + 5 < b.count, isSpace(b[k + 5]),
              let end = find(b, "?>", from: k + 5) else { return nil }
        var moved = Array(b[..<start])
        moved.append(contentsOf: b[k..<(end + 2)])
        moved.append(contentsOf: b[start..<k])
        moved.append(contentsOf: b[(end + 2)...])
        return moved
    }

    /// UTF-16 documents are converted so the byte-level checks above see ASCII. The XML
    /// declaration is dropped because its `encoding="UTF-16"` would no longer be true.
    private static func transcodedFromUTF16(_ b: [UInt8]) -> [UInt8]? {
        guard b.count >= 4 else { return nil }
        let littleEndian: Bool
        var start = 0
        switch (b[0], b[1], b[2], b[3]) {
        case (0xFF, 0xFE, _, _): littleEndian = true; start = 2
        case (0xFE, 0xFF, _, _): littleEndian = false; start = 2
        case (0x3C, 0x00, 0x3F, 0x00): littleEndian = true
        case (0x00, 0x3C, 0x00, 0x3F): littleEndian = false
        default: return nil
        }
        var units: [UInt16] = []
        units.reserveCapacity((b.count - start) / 2)
        var k = start
        while k + 1 < b.count {
            let pair = littleEndian
                ? UInt16(b[k]) | UInt16(b[k + 1]) << 8
                : UInt16(b[k]) << 8 | UInt16(b[k + 1])
            units.append(pair)
            k += 2
        }
        var utf8 = Array(String(decoding: units, as: UTF16.self).utf8)
        if hasPrefix(utf8, at: 0, "<?xml"), let end = find(utf8, "?>", from: 5) {
            utf8.removeSubrange(0..<(end + 2))
        }
        return utf8
    }

    /// End of a DOCTYPE declaration starting after its keyword. Quoted system/public
    /// identifiers may contain `>`; an internal subset runs to the first `]>`.
    /// Getting the subset's end wrong is harmless: everything up to that point is
    /// removed, and any leftover text fails to parse rather than defining entities.
    private static func endOfDoctype(_ b: [UInt8], from start: Int) -> (Int, Bool) {
        var k = start
        var quote: UInt8?
        while k < b.count {
            let c = b[k]
            if let q = quote {
                if c == q { quote = nil }
            } else if c == ascii("\"") || c == ascii("'") {
                quote = c
            } else if c == ascii(">") {
                return (k + 1, false)
            } else if c == ascii("[") {
                var m = k + 1
                while m < b.count {
                    if b[m] == ascii("]") {
                        var n = m + 1
                        while n < b.count, isSpace(b[n]) { n += 1 }
                        if n < b.count, b[n] == ascii(">") { return (n + 1, true) }
                    }
                    m += 1
                }
                return (b.count, true)
            }
            k += 1
        }
        return (b.count, false)
    }

    private static let xmlPredefined: Set<String> = ["amp", "lt", "gt", "quot", "apos"]

    private static func withHTMLEntitiesAsNumeric(_ b: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var copiedUpTo = 0
        var k = 0
        while k < b.count {
            guard b[k] == ascii("&") else { k += 1; continue }
            var j = k + 1
            while j < b.count, j - k <= 32, isASCIIAlphanumeric(b[j]) { j += 1 }
            guard j < b.count, b[j] == ascii(";"), j > k + 1 else { k += 1; continue }
            let name = String(decoding: b[(k + 1)..<j], as: UTF8.self)
            guard !xmlPredefined.contains(name), let value = HTMLText.namedEntity(name) else {
                k = j + 1
                continue
            }
            if out.isEmpty { out.reserveCapacity(b.count + 64) }
            out.append(contentsOf: b[copiedUpTo..<k])
            out.append(contentsOf: Array("&#\(value);".utf8))
            copiedUpTo = j + 1
            k = j + 1
        }
        guard copiedUpTo > 0 else { return b }
        out.append(contentsOf: b[copiedUpTo...])
        return out
    }

    // MARK: - Descriptions for rejections

    private static func htmlTitle(_ b: [UInt8]) -> String? {
        let head = Array(b.prefix(65_536))
        guard let open = findIgnoringCase(head, "<title", from: 0),
              let gt = find(head, ">", from: open),
              let close = findIgnoringCase(head, "</title", from: gt) else { return nil }
        let title = HTMLText.plainText(fromHTML: String(decoding: head[(gt + 1)..<close], as: UTF8.self))
        guard !title.isEmpty else { return nil }
        return title.count > 80 ? String(title.prefix(79)) + "…" : title
    }

    private static func preview(_ b: [UInt8], from start: Int) -> String {
        let text = HTMLText.normalizeWhitespace(String(decoding: b[start...].prefix(60), as: UTF8.self))
        return text.count > 40 ? String(text.prefix(40)) + "…" : text
    }

    // MARK: - Byte helpers

    private static func ascii(_ s: Unicode.Scalar) -> UInt8 { UInt8(truncatingIfNeeded: s.value) }
    private static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }
    private static func isASCIIAlphanumeric(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A)
    }
    private static func isNameStart(_ c: UInt8) -> Bool {
        ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A) || c == ascii("_") || c == ascii(":") || c >= 0x80
    }

    private static func readName(_ b: [UInt8], from start: Int) -> String {
        var k = start
        while k < b.count, k - start < 64, !isSpace(b[k]), b[k] != ascii(">"), b[k] != ascii("/"),
              b[k] != ascii("["), b[k] != ascii("<") {
            k += 1
        }
        return String(decoding: b[start..<k], as: UTF8.self)
    }

    private static func hasPrefix(_ b: [UInt8], at start: Int, _ prefix: String) -> Bool {
        var k = start
        for p in prefix.utf8 {
            guard k < b.count, b[k] == p else { return false }
            k += 1
        }
        return true
    }

    private static func hasPrefixIgnoringCase(_ b: [UInt8], at start: Int, _ prefix: String) -> Bool {
        var k = start
        for p in prefix.utf8 {
            guard k < b.count, b[k] | 0x20 == p | 0x20 else { return false }
            k += 1
        }
        return true
    }

    private static func find(_ b: [UInt8], _ needle: String, from start: Int) -> Int? {
        let n = Array(needle.utf8)
        guard let first = n.first else { return nil }
        var k = max(0, start)
        while k + n.count <= b.count {
            if b[k] == first, hasPrefix(b, at: k, needle) { return k }
            k += 1
        }
        return nil
    }

    private static func findIgnoringCase(_ b: [UInt8], _ needle: String, from start: Int) -> Int? {
        var k = max(0, start)
        while k + needle.utf8.count <= b.count {
            if hasPrefixIgnoringCase(b, at: k, needle) { return k }
            k += 1
        }
        return nil
    }
}
