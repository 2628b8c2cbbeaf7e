import NewsletterCore

/// What the daemon needs of whatever watches the site's content, a folder or a website.
public protocol SiteWatching: AnyObject, Sendable {
    @discardableResult func start() throws -> ScanReport
    func stop()
    func requestRescan()
}

extension ContentWatcher: SiteWatching {}
