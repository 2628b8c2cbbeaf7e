import Foundation

/// A page's `<title>` without the site's name, and whether a description says anything.
enum WebPageTitle {
    static let separators = [" | ", " - ", " – ", " — ", " :: ", " » ", " « ", " · ", " / "]

    /// "Advocacy services | Carers Trust" is "Advocacy services".
    static func withoutSiteName(_ title: String, siteName: String?) -> String { split(title, siteName: siteName).page }

    /// The page's part of a title and the site's name cut from it. With `og:site_name` only
    /// that name is cut (at either end); without it, the last part after a separator, when it
    /// is after " | " or looks like a name ("- Derbyshire County Council", but not "- a guide
    /// for carers").
    static func split(_ title: String, siteName: String?) -> (page: String, site: String?) {
        let title = TextCleanup.collapse(title)
        if let site = siteName.map(TextCleanup.collapse), !site.isEmpty {
            if title.caseInsensitiveCompare(site) == .orderedSame { return (title, nil) }
            let lower = title.lowercased()
            for separator in separators {
                if lower.hasSuffix((separator + site).lowercased()) {
                    let head = String(title.dropLast(separator.count + site.count))
                    if !head.isEmpty { return (head, site) }
                }
                if lower.hasPrefix((site + separator).lowercased()) {
                    let tail = String(title.dropFirst(site.count + separator.count))
                    if !tail.isEmpty { return (tail, site) }
                }
            }
        }
        var last: (range: Range<String.Index>, separator: String)?
        for separator in separators {
            if let range = title.range(of: separator, options: .backwards), range.lowerBound > (last?.range.lowerBound ?? title.startIndex) {
                last = (range, separator)
            }
        }
        guard let last else { return (title, nil) }
        let head = String(title[..<last.range.lowerBound])
        let tail = String(title[last.range.upperBound...])
        guard !head.isEmpty, !tail.isEmpty, last.separator == " | " || looksLikeName(tail) else { return (title, nil) }
        return (head, tail)
    }

    static func looksLikeName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, let end = text.last else { return false }
        let words = text.split(separator: " ").count
        return words <= 6 && (first.properties.isUppercase || ("0"..."9").contains(first)) && !"?!.:".contains(end)
    }

    /// Whether a description says something of this page, rather than of the site or nothing:
    /// many sites give every page the same "Welcome to ..." or "Westmoor Borough Council website".
    static func isUseful(_ description: String, title: String?, siteNames: [String]) -> Bool {
        let text = TextCleanup.collapse(description)
        let words = text.split(separator: " ").count
        guard words >= 4 else { return false }
        let lower = text.lowercased()
        if let title, lower == title.lowercased() { return false }
        for site in siteNames.map({ $0.lowercased() }) where !site.isEmpty && lower.contains(site) && words <= site.split(separator: " ").count + 3 {
            return false
        }
        if words <= 6, lower.hasSuffix(" website") || lower.hasSuffix(" web site") { return false }
        return !generic.contains { lower.contains($0) }
    }

    static let generic = [
        "just another wordpress site", "welcome to ", "official website", "home page", "homepage", "lorem ipsum", "default description",
        "site description", "page description",
    ]
}
