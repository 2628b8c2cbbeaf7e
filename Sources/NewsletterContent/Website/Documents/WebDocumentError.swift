import Foundation

/// Why a sitemap or feed could not be read at all.
///
/// Problems that leave the document usable (an unreadable date, a truncated field,
/// too many entries) are reported as warnings on the result instead, so one bad
/// value never costs the caller the whole document.
enum WebDocumentError: Error, Equatable, Sendable {
    /// The document (after decompression) is bigger than the caller allowed.
    case tooLarge(limit: Int)
    /// The compressed data could not be decompressed.
    case corrupt(String)
    /// The bytes are not well-formed XML; the text names the line when known.
    case invalidXML(String)
    /// Well-formed (or HTML) content whose root is not `urlset` or `sitemapindex`.
    case notASitemap(String)
    /// Well-formed (or HTML) content whose root is not `rss`, `feed` or `rdf:RDF`.
    case notAFeed(String)

    /// One line of plain English, fit to show a person looking after the watch list.
    var reason: String {
        switch self {
        case .tooLarge(let limit):
            "the file is larger than the \(Self.describeSize(limit)) allowed once decompressed"
        case .corrupt(let detail):
            "the compressed file is damaged (\(detail))"
        case .invalidXML(let detail):
            "the file is not valid XML (\(detail))"
        case .notASitemap(let detail):
            "the file is not a sitemap (\(detail))"
        case .notAFeed(let detail):
            "the file is not an RSS or Atom feed (\(detail))"
        }
    }

    private static func describeSize(_ bytes: Int) -> String {
        if bytes >= 1_000_000, bytes % 1_000_000 == 0 { return "\(bytes / 1_000_000) MB" }
        if bytes >= 1_000, bytes % 1_000 == 0 { return "\(bytes / 1_000) kB" }
        return "\(bytes) bytes"
    }
}
