import Foundation
import NewsletterCore

/// A published website watched over HTTP: where its sitemaps, feeds and pages are, which
/// paths count, and how to fetch them.
public struct WebsiteSite: Sendable {
    /// The public address, without a trailing slash; what `content_scan.root` records.
    public let baseURL: String
    public let sources: WebsiteSources
    public let settings: WebsiteSettings
    public let dateOrder: SiteSettings.DateOrder
    public let fallback: ContentSettings.Fallback
    /// Names the product, its version and whom to contact, as a good citizen's crawler does.
    public let userAgent: String

    /// The website of a config that names one (`site.sitemap`, `site.feeds` or `site.pages`);
    /// nil when it names none.
    public init?(settings: Settings) throws {
        guard !settings.site.website.isEmpty else { return nil }
        guard let base = settings.site.baseURL else {
            throw NewsletterError.config(
                "config \(settings.file): site.base_url is not set; website watching needs the site's public address")
        }
        let contact = (settings.mail.replyTo ?? settings.mail.from)?.address.value
        self.init(
            baseURL: base.absoluteString, sources: settings.site.website, settings: settings.website, dateOrder: settings.site.dateOrder,
            fallback: settings.content.fallback, contact: contact)
    }

    public init(
        baseURL: String, sources: WebsiteSources, settings: WebsiteSettings = WebsiteSettings(), dateOrder: SiteSettings.DateOrder = .dmy,
        fallback: ContentSettings.Fallback = .none, contact: String? = nil
    ) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.sources = sources
        self.settings = settings
        self.dateOrder = dateOrder
        self.fallback = fallback
        userAgent = "carers-newsletter/\(NewsletterVersion.current) (+\(base)\(contact.map { "; \($0)" } ?? ""))"
    }

    var fetchOptions: HTTPFetchOptions {
        var options = HTTPFetchOptions(userAgent: userAgent)
        options.connectTimeoutMilliseconds = Int(settings.connectTimeout * 1000)
        options.totalTimeoutMilliseconds = Int(settings.timeout * 1000)
        options.maxBodyBytes = Int(settings.maxPageSize)
        options.maxRedirects = settings.maxRedirects
        options.caFile = settings.caFile
        return options
    }

    /// Whether a page's path is watched: it matches an include rule (when there are any) and
    /// no exclude rule.
    func watches(path: String) -> Bool {
        if !sources.include.isEmpty, !sources.include.contains(where: { Self.matches(path, rule: $0) }) { return false }
        return !sources.exclude.contains { Self.matches(path, rule: $0) }
    }

    /// A rule without `*` is a prefix; with `*`, a glob over the whole path where `*` matches
    /// any run of characters.
    static func matches(_ path: String, rule: String) -> Bool {
        guard rule.contains("*") else { return path.hasPrefix(rule) }
        let parts = rule.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        guard let first = parts.first, path.hasPrefix(first) else { return false }
        var rest = path.dropFirst(first.count)
        for (index, part) in parts.enumerated().dropFirst() {
            if part.isEmpty { continue }
            if index == parts.count - 1 { return rest.hasSuffix(part) }
            guard let found = rest.range(of: part) else { return false }
            rest = rest[found.upperBound...]
        }
        return parts.last?.isEmpty == true || rest.isEmpty
    }
}
