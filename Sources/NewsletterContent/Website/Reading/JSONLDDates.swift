import Foundation

/// The schema.org `dateModified` and `datePublished` in a page's JSON-LD, wherever they sit:
/// Yoast puts them on the WebPage node of an `@graph` array, other plugins and hosted
/// builders on an Article with nested author and publisher objects.
///
/// A page can describe several things (the page, the site, an event on it); the dates of the
/// node that names the page's own address come first, then those of a page or article type,
/// then the rest, each group in the order found.
struct JSONLDDates {
    struct Found: Equatable {
        var value: String
        /// The node's `@type`, as written (several joined with ", ").
        var type: String?
        var score: Int
    }

    /// Best first.
    var modified: [Found] = []
    var published: [Found] = []
    var warnings: [String] = []

    // Bounds against hostile pages: the work stays a small multiple of the bytes.
    static let blockLimit = 512 * 1024
    static let blockCount = 16
    static let nodeLimit = 10_000
    static let depthLimit = 32
    static let foundLimit = 20

    static let pageTypes: Set<String> = ["article", "newsarticle", "blogposting", "report", "techarticle", "scholarlyarticle", "medicalwebpage"]

    init(_ html: [UInt8], blocks: [Range<Int>], pageURLs: [String], work: inout Int) {
        let addresses = Set(pageURLs.map(Self.normalised))
        for (number, range) in blocks.enumerated() {
            guard number < Self.blockCount else {
                warnings.append("the page has more than \(Self.blockCount) JSON-LD blocks; the rest are not read")
                break
            }
            guard range.count <= Self.blockLimit else {
                warnings.append("JSON-LD block \(number + 1) is over \(Self.blockLimit / 1024) KB and is not read")
                continue
            }
            work += range.count
            guard let json = Self.cleaned(html[range]),
                let object = try? JSONSerialization.jsonObject(with: Data(json))
            else {
                warnings.append("JSON-LD block \(number + 1) is not valid JSON; its dates are not read")
                continue
            }
            collect(object, addresses: addresses, work: &work)
        }
        // Stable: among equals, the order found.
        modified = modified.enumerated().sorted { ($0.element.score, -$0.offset) > ($1.element.score, -$1.offset) }.map(\.element)
        published = published.enumerated().sorted { ($0.element.score, -$0.offset) > ($1.element.score, -$1.offset) }.map(\.element)
    }

    private mutating func collect(_ root: Any, addresses: Set<String>, work: inout Int) {
        var stack: [(Any, Int)] = [(root, 0)]
        var visited = 0
        while let (value, depth) = stack.popLast(), visited < Self.nodeLimit {
            visited += 1
            work += 1
            if let array = value as? [Any] {
                guard depth < Self.depthLimit else { continue }
                for element in array.reversed() { stack.append((element, depth + 1)) }
                continue
            }
            guard let node = value as? [String: Any] else { continue }
            let type = Self.types(node["@type"])
            var score = 0
            if let id = (node["url"] as? String) ?? (node["@id"] as? String), addresses.contains(Self.normalised(id)) { score += 2 }
            if let type, type.lowercased().split(separator: ",").contains(where: { Self.isPageType($0.trimmingCharacters(in: .whitespaces)) }) {
                score += 1
            }
            if let value = Self.text(node["dateModified"]), modified.count < Self.foundLimit {
                modified.append(Found(value: value, type: type, score: score))
            }
            if let value = Self.text(node["datePublished"]), published.count < Self.foundLimit {
                published.append(Found(value: value, type: type, score: score))
            }
            guard depth < Self.depthLimit else { continue }
            // Keys in a fixed order: a dictionary's own order changes from run to run.
            for key in node.keys.sorted().reversed() where key != "dateModified" && key != "datePublished" {
                if let child = node[key], child is [Any] || child is [String: Any] { stack.append((child, depth + 1)) }
            }
        }
    }

    static func isPageType(_ type: String) -> Bool { type.hasSuffix("page") || pageTypes.contains(type) }

    static func types(_ value: Any?) -> String? {
        if let text = value as? String { return text }
        if let list = value as? [Any] {
            let names = list.compactMap { $0 as? String }
            return names.isEmpty ? nil : names.joined(separator: ", ")
        }
        return nil
    }

    /// A date value: a string, the first of a list, or `{"@value": ...}`.
    static func text(_ value: Any?) -> String? {
        if let text = value as? String { return text }
        if let list = value as? [Any] { return list.lazy.compactMap { $0 as? String }.first }
        if let object = value as? [String: Any] { return object["@value"] as? String }
        return nil
    }

    /// An address to compare with others: no fragment, no trailing slash, no case.
    static func normalised(_ address: String) -> String {
        var text = Substring(address.lowercased())
        if let hash = text.firstIndex(of: "#") { text = text[..<hash] }
        while text.hasSuffix("/") { text = text.dropLast() }
        return String(text)
    }

    /// The block as JSON a strict parser takes. CMS templates wrap it in HTML comments or
    /// CDATA, end it with a semicolon, leave trailing commas and raw line breaks in strings.
    static func cleaned(_ block: ArraySlice<UInt8>) -> [UInt8]? {
        guard let first = block.firstIndex(where: { $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: "[") }),
            let last = block.lastIndex(where: { $0 == UInt8(ascii: "}") || $0 == UInt8(ascii: "]") }), first < last
        else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(last - first + 1)
        var inString = false
        var escaped = false
        var lastSignificant = -1
        for byte in block[first...last] {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                out.append(byte < 0x20 ? 0x20 : byte)
                lastSignificant = out.count - 1
                continue
            }
            if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]"), lastSignificant >= 0, out[lastSignificant] == UInt8(ascii: ",") {
                out[lastSignificant] = 0x20
            }
            if byte == UInt8(ascii: "\"") { inString = true }
            out.append(byte)
            if byte > 0x20 { lastSignificant = out.count - 1 }
        }
        return out
    }
}
