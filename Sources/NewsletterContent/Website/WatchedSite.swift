import Foundation
import Logging
import NewsletterCore

/// The site whose content is watched: a folder of files on this machine, or a published
/// website read over HTTP. A config names one or the other.
public enum WatchedSite: Sendable {
    case folder(ContentSite)
    case website(WebsiteSite)

    /// The website when `site.sitemap`, `site.feeds` or `site.pages` is set, else the content
    /// folder; a config error (78) when neither or both are set.
    public init(settings: Settings) throws {
        if let website = try WebsiteSite(settings: settings) {
            guard settings.site.contentDir == nil else {
                throw NewsletterError.config(
                    "config \(settings.file): site.content_dir and site.sitemap/feeds/pages are both set; "
                        + "watch either the folder of the site's pages or the published website, not both")
            }
            self = .website(website)
        } else {
            guard settings.site.contentDir != nil else {
                throw NewsletterError.config(
                    "config \(settings.file): nothing to watch; set site.content_dir (the folder of the site's pages) "
                        + "or site.sitemap, site.feeds or site.pages (the published website)")
            }
            self = .folder(try ContentSite(settings: settings))
        }
    }

    /// The folder's resolved path or the website's address.
    public var root: String {
        switch self {
        case .folder(let site): return site.root
        case .website(let site): return site.baseURL
        }
    }

    /// One full scan now.
    public func scan(store: Store, logger: Logger, now: @escaping @Sendable () -> Date = Date.init, options: ScanOptions = ScanOptions()) throws
        -> ScanReport
    {
        switch self {
        case .folder(let site): return try ContentScanner(site: site, store: store, logger: logger, now: now).scan(.full, options: options)
        case .website(let site): return try WebsiteScanner(site: site, store: store, logger: logger, now: now).scan(options: options)
        }
    }

    /// What watches it from now on.
    public func watcher(
        store: Store, settings: ContentSettings, logger: Logger, now: @escaping @Sendable () -> Date,
        onEvents: @escaping @Sendable ([ContentEvent]) -> Void, onScan: @escaping @Sendable (ScanReport) -> Void
    ) -> any SiteWatching {
        switch self {
        case .folder(let site):
            let scanner = ContentScanner(site: site, store: store, logger: logger, now: now)
            return ContentWatcher(scanner: scanner, settings: settings, logger: logger, onEvents: onEvents, onScan: onScan)
        case .website(let site):
            let scanner = WebsiteScanner(site: site, store: store, logger: logger, now: now)
            return WebsiteWatcher(scanner: scanner, logger: logger, onEvents: onEvents, onScan: onScan)
        }
    }
}
