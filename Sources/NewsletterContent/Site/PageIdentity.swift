import Foundation
import NewsletterCore

/// Which files are pages, and what the site calls them: kind, URL, topics and a fallback title.
public struct PageIdentity: Sendable {
    public let baseURL: String
    public let blogDir: String

    public init(site: ContentSite) {
        baseURL = site.baseURL
        blogDir = site.blogDir
    }

    public init(baseURL: String, blogDir: String) {
        self.baseURL = baseURL
        self.blogDir = blogDir
    }

    // MARK: Which files

    /// Whether a file or folder name is one scanning skips without a word: hidden files,
    /// editor leftovers (`x.swp`, `x~`, `.#x`, `#x#`, vim's `4913` probe).
    public static func isIgnored(_ name: String) -> Bool {
        name.hasPrefix(".") || name.hasSuffix("~") || name == "4913" || (name.hasPrefix("#") && name.hasSuffix("#"))
            || name.hasSuffix(".swp") || name.hasSuffix(".swo") || name.hasSuffix(".swx") || name.hasSuffix(".tmp")
    }

    /// Whether a file name is a page: not ignored, and with a page extension.
    public static func isPage(_ name: String) -> Bool {
        !isIgnored(name) && PageFormat(fileName: name) != nil
    }

    /// Whether any folder on a relative path is ignored (`.git/x.md`).
    public static func isInIgnoredFolder(_ path: String) -> Bool {
        path.split(separator: "/").dropLast().contains { isIgnored(String($0)) }
    }

    // MARK: What the site calls it

    public func kind(of path: String) -> ContentPageKind {
        guard !blogDir.isEmpty, path.hasPrefix(blogDir + "/") else { return .page }
        let rest = path.dropFirst(blogDir.count + 1)
        // The blog's own index is a page, not a post.
        if !rest.contains("/"), Self.isIndex(String(rest)) { return .page }
        return .post
    }

    /// `site.base_url` + the path without its extension; `index.*` (and Hugo's `_index.*`)
    /// stands for its folder. A `url` or `permalink` from front matter replaces the path.
    public func url(of path: String, override: String? = nil) -> String {
        if let override {
            if override.hasPrefix("http://") || override.hasPrefix("https://") { return override }
            let trimmed = override.hasPrefix("/") ? override : "/" + override
            return baseURL + (trimmed.addingPercentEncoding(withAllowedCharacters: Self.pathCharacters) ?? trimmed)
        }
        var components = path.split(separator: "/").map(String.init)
        guard let file = components.popLast() else { return baseURL + "/" }
        var tail = ""
        if Self.isIndex(file) {
            tail = components.isEmpty ? "" : "/"
        } else {
            components.append(Self.stem(file))
        }
        let encoded = components.map { $0.addingPercentEncoding(withAllowedCharacters: Self.segmentCharacters) ?? $0 }
        return baseURL + "/" + encoded.joined(separator: "/") + tail
    }

    /// Topic slugs from front matter, else the first folder's name; topics with no letters
    /// or digits are dropped.
    public func topics(of path: String, declared: [String]) -> [String] {
        if !declared.isEmpty {
            var seen: Set<String> = []
            return declared.compactMap { Topic.slug($0) }.filter { $0.count <= Topic.maxLength && seen.insert($0).inserted }
        }
        let folders = path.split(separator: "/").dropLast()
        guard let first = folders.first, let slug = Topic.slug(String(first)) else { return [] }
        return [slug]
    }

    /// A title for a file that gives none: its name (or its folder's, for an index) in words.
    public func fallbackTitle(of path: String) -> String {
        var components = path.split(separator: "/").map(String.init)
        guard var name = components.popLast() else { return "Home" }
        if Self.isIndex(name) {
            guard let folder = components.last else { return "Home" }
            name = folder
        } else {
            name = Self.stem(name)
        }
        let words = name.replacingOccurrences(of: "-", with: " ").replacingOccurrences(of: "_", with: " ")
        let collapsed = TextCleanup.collapse(words)
        guard let first = collapsed.first else { return path }
        return first.uppercased() + collapsed.dropFirst()
    }

    /// A date at the start of a file name, as Jekyll names posts: `2024-03-12-respite.md`.
    public static func dateInName(_ path: String) -> MarkerDate? {
        guard let name = path.split(separator: "/").last, name.utf8.count > 10 else { return nil }
        let bytes = Array(name.utf8)
        guard bytes[10] == UInt8(ascii: "-") || bytes[10] == UInt8(ascii: "_") || bytes[10] == UInt8(ascii: "."),
            case .date(let date, 10)? = DateReader(order: .ymd).read(prefixOf: bytes[0..<10])
        else { return nil }
        return date
    }

    static func isIndex(_ name: String) -> Bool {
        let stem = stem(name)
        return (stem == "index" || stem == "_index") && PageFormat(fileName: name) != nil
    }

    static func stem(_ name: String) -> String {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name }
        return String(name[..<dot])
    }

    private static let segmentCharacters: CharacterSet = {
        var set = CharacterSet.urlPathAllowed
        set.remove(charactersIn: "/;?#%")
        return set
    }()

    private static let pathCharacters: CharacterSet = {
        var set = CharacterSet.urlPathAllowed
        set.remove(charactersIn: "?#")
        set.insert(charactersIn: "%")
        return set
    }()
}
