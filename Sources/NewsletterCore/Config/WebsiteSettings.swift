import Foundation

/// `site.sitemap`, `site.feeds`, `site.pages`, `site.include` and `site.exclude`: a published
/// website to watch over HTTP, for sites whose pages are not files on this machine.
public struct WebsiteSources: Sendable, Equatable {
    /// Sitemaps or sitemap indexes (sitemaps.org protocol, gzip included).
    public var sitemaps: [URL]
    /// RSS 2.0, RSS 1.0 or Atom feeds of the blog and news.
    public var feeds: [URL]
    /// Pages to watch whether or not a sitemap lists them.
    public var pages: [URL]
    /// Path rules (a prefix ending in `/`, or a glob with `*`): only pages that match one of
    /// `include` (when given) and none of `exclude` are watched.
    public var include: [String]
    public var exclude: [String]

    public init(sitemaps: [URL] = [], feeds: [URL] = [], pages: [URL] = [], include: [String] = [], exclude: [String] = []) {
        self.sitemaps = sitemaps
        self.feeds = feeds
        self.pages = pages
        self.include = include
        self.exclude = exclude
    }

    /// Whether anything is to be fetched.
    public var isEmpty: Bool { sitemaps.isEmpty && feeds.isEmpty && pages.isEmpty }

    init(_ section: ConfigSection) throws {
        self.init()
        sitemaps = try section.webURLs("sitemap")
        feeds = try section.webURLs("feeds")
        pages = try section.webURLs("pages")
        include = try section.pathRules("include")
        exclude = try section.pathRules("exclude")
    }
}

/// `website:`: how the site's pages are fetched (when `site.sitemap`, `site.feeds` or
/// `site.pages` is set). The defaults are polite to a small organisation's CMS.
public struct WebsiteSettings: Sendable, Equatable {
    /// How often the whole site is checked; the checks are spread across the interval.
    public var checkInterval: TimeInterval = 3600
    /// Requests at once to one host.
    public var perHost = 2
    /// The least time between the starts of two requests to one host.
    public var delay: TimeInterval = 0.5
    public var connectTimeout: TimeInterval = 10
    public var timeout: TimeInterval = 30
    /// The largest page, sitemap or feed read, after decompression.
    public var maxPageSize: Int64 = 10 << 20
    public var maxRedirects = 5
    /// After this long failing, an address is reported as a warning in the log.
    public var warnAfter: TimeInterval = 86400
    /// Trusted certificates instead of the system's (a private CA).
    public var caFile: String?

    public init() {}

    init(_ section: ConfigSection, relativeTo folder: URL) throws {
        checkInterval = try section.duration("check_interval", in: 60...(7 * 86400)) ?? checkInterval
        perHost = try section.int("per_host", in: 1...16) ?? perHost
        delay = try section.duration("delay", in: 0...60) ?? delay
        connectTimeout = try section.duration("connect_timeout", in: 1...120) ?? connectTimeout
        timeout = try section.duration("timeout", in: 1...600) ?? timeout
        maxPageSize = try section.byteSize("max_page_size", in: 65536...(1 << 30)) ?? maxPageSize
        maxRedirects = try section.int("max_redirects", in: 0...20) ?? maxRedirects
        warnAfter = try section.duration("warn_after", in: 60...(30 * 86400)) ?? warnAfter
        caFile = try section.path("ca_file", expected: "the path of a PEM file of trusted certificates")
            .map { ConfigPath.resolve($0, relativeTo: folder) }
        try section.finish()
    }
}

extension ConfigSection {
    /// One http or https address or a list of them.
    func webURLs(_ key: String) throws -> [URL] {
        guard let texts = try strings(key) else { return [] }
        return try texts.map { text in
            let trimmed = text.trimmingSpaces
            guard !trimmed.hasLineBreakOrControl, !trimmed.unicodeScalars.contains(where: \.properties.isWhitespace),
                let url = URL(string: trimmed), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
                let host = url.host, !host.isEmpty, url.fragment == nil, trimmed.utf8.count <= Self.maxURLLength
            else {
                throw failure(key, expected: "http or https addresses such as https://carers.example.org/sitemap.xml", found: text.quotedForDisplay)
            }
            return url
        }
    }

    /// Path rules: `/news/` (a prefix) or `/blog/*/comments` (a glob).
    func pathRules(_ key: String) throws -> [String] {
        guard let rules = try strings(key) else { return [] }
        for rule in rules where !rule.hasPrefix("/") || rule.hasLineBreakOrControl {
            throw failure(key, expected: "paths starting with / such as /news/ or /services/*", found: rule.quotedForDisplay)
        }
        return rules
    }
}
