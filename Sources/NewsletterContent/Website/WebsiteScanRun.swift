import Foundation
import NewsletterCore

/// One scan of a website, outside any transaction: what to fetch, the fetches, and what they
/// showed. Nothing here writes to the store; ``WebsiteScanner`` records the outcome.
struct WebsiteScanRun {
    let site: WebsiteSite
    let recorded: [String: ContentPage]
    let resources: [String: WebResource]
    let now: Date
    let reader: WebPageReader
    let identity: PageIdentity

    /// Pages read successfully (posts from the feeds included).
    var observed: [ObservedPage] = []
    /// Pages the sitemaps stopped listing, two successful reads in a row.
    var gone: [String] = []
    /// Address state to save, by URL.
    var updates: [String: WebResource] = [:]
    var warnings: [ScanWarning] = []
    /// Addresses failing for longer than `website.warn_after`.
    var longFailing: [WebResource] = []
    /// Pages and posts the sources list (before the lastmod check).
    var pagesSeen = 0

    private var robots: [String: RobotsTxt] = [:]
    /// Page URL → the sitemap's lastmod text (nil: none given); nil when any sitemap failed.
    private var listed: [String: String?]? = [:]
    /// What the sitemaps that could be read listed, even when another failed: still checked.
    private var pendingSitemapEntries: [String: String?] = [:]
    private var postURLs: Set<String> = []

    static let maxSitemaps = 100
    static let maxPages = 50_000

    init(site: WebsiteSite, recorded: [String: ContentPage], resources: [String: WebResource], now: Date, reader: WebPageReader, identity: PageIdentity) {
        self.site = site
        self.recorded = recorded
        self.resources = resources
        self.now = now
        self.reader = reader
        self.identity = identity
    }

    // MARK: robots.txt

    /// Reads each host's robots.txt once per scan (RFC 9309: a 4xx allows everything, a
    /// failure or a 5xx allows nothing until it answers again).
    mutating func readRobots(_ pool: FetchPool) {
        readRobotsFor((site.sources.sitemaps + site.sources.feeds + site.sources.pages).map(\.absoluteString), pool)
    }

    mutating func readRobotsFor(_ urls: [String], _ pool: FetchPool) {
        var hosts: [String: String] = [:]
        for url in urls {
            guard var components = URLComponents(string: url) else { continue }
            components.path = "/robots.txt"
            components.query = nil
            components.fragment = nil
            if let robotsURL = components.string { hosts[FetchPool.host(of: url)] = robotsURL }
        }
        let ordered = hosts.sorted { $0.key < $1.key }
        let results = pool.fetchAll(ordered.map { HTTPRequest(url: $0.value) })
        for ((host, _), result) in zip(ordered, results) {
            let policy: RobotsTxt
            switch result {
            case .success(let response): policy = RobotsTxt.forStatus(response.status, body: response.body, agent: "carers-newsletter")
            case .failure(.status(let status)): policy = RobotsTxt.forStatus(status, body: [], agent: "carers-newsletter")
            case .failure: policy = RobotsTxt.disallowAll
            }
            robots[host] = policy
            if let delay = policy.crawlDelay { pool.setDelay(delay, forHost: host) }
        }
    }

    func allowed(_ url: String) -> Bool {
        guard let policy = robots[FetchPool.host(of: url)] else { return true }
        guard let components = URLComponents(string: url) else { return false }
        let path = (components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath)
            + (components.percentEncodedQuery.map { "?" + $0 } ?? "")
        return policy.allows(path)
    }

    // MARK: Sitemaps

    /// Reads every sitemap, following indexes (each file once, so an index listing itself
    /// ends). Any failure leaves `listed` nil: then no page is taken for gone this scan.
    mutating func readSitemaps(_ pool: FetchPool) {
        var queue = site.sources.sitemaps.map(\.absoluteString)
        var visited: Set<String> = []
        var entries: [String: String?] = [:]
        var failed = false
        while !queue.isEmpty, visited.count < Self.maxSitemaps {
            let batch = Array(Set(queue).subtracting(visited)).sorted().prefix(Self.maxSitemaps - visited.count)
            queue = []
            visited.formUnion(batch)
            let requests = batch.map { HTTPRequest(url: $0) }
            let blocked = requests.filter { !allowed($0.url) }
            for request in blocked {
                fail(request.url, role: .sitemap, .disallowedByRobots)
                failed = true
            }
            let wanted = requests.filter { allowed($0.url) }
            for (request, result) in zip(wanted, pool.fetchAll(wanted)) {
                switch result {
                case .failure(let error):
                    fail(request.url, role: .sitemap, error)
                    failed = true
                case .success(let response):
                    do {
                        let document = try SitemapDocument.parse(response.body)
                        for warning in document.warnings { warnings.append(ScanWarning(path: request.url, reason: warning)) }
                        switch document.content {
                        case .index(let children): queue += children.map(\.loc)
                        case .urls(let found):
                            for entry in found where entries.count < Self.maxPages {
                                entries[entry.loc] = .some(entry.lastmodText)
                            }
                        }
                        succeed(request.url, role: .sitemap, response: response)
                    } catch {
                        fail(request.url, role: .sitemap, reason: error.reason, kind: "document")
                        failed = true
                    }
                }
            }
        }
        if !queue.isEmpty { warnings.append(ScanWarning(path: site.baseURL, reason: "more than \(Self.maxSitemaps) sitemap files; the rest were not read")) }
        if !failed, entries.isEmpty, !site.sources.sitemaps.isEmpty {
            // A CMS mid-upgrade or an index that lists only itself: not a site with no pages.
            warnings.append(ScanWarning(path: site.sources.sitemaps[0].absoluteString, reason: "the sitemaps list no pages; no page is taken for gone"))
            failed = true
        }
        listed = failed ? nil : entries
        pendingSitemapEntries = entries
    }

    // MARK: Feeds

    /// Reads the feeds: each entry is a post, known by its link.
    mutating func readFeeds(_ pool: FetchPool) {
        let requests = site.sources.feeds.map { HTTPRequest(url: $0.absoluteString) }
        let wanted = requests.filter { allowed($0.url) }
        for request in requests where !allowed(request.url) { fail(request.url, role: .feed, .disallowedByRobots) }
        for (request, result) in zip(wanted, pool.fetchAll(wanted)) {
            switch result {
            case .failure(let error):
                fail(request.url, role: .feed, error)
            case .success(let response):
                do {
                    let feed = try FeedDocument.parse(response.body, baseURL: URL(string: response.url))
                    for warning in feed.warnings { warnings.append(ScanWarning(path: request.url, reason: warning)) }
                    for entry in feed.entries { observePost(entry) }
                    succeed(request.url, role: .feed, response: response)
                } catch {
                    fail(request.url, role: .feed, reason: error.reason, kind: "document")
                }
            }
        }
    }

    private mutating func observePost(_ entry: FeedEntry) {
        guard let link = entry.link ?? (entry.id.hasPrefix("http") ? entry.id : nil), Self.isWeb(link) else { return }
        let path = Self.pagePath(link)
        guard site.watches(path: path) else { return }
        guard postURLs.insert(link).inserted else { return }
        pagesSeen += 1
        let date = (entry.published ?? entry.updated).map { MarkerDate(instant: $0) } ?? MarkerDate(instant: now)
        let title = entry.title.flatMap { $0.isEmpty ? nil : $0 } ?? identity.fallbackTitle(of: String(path.dropFirst()))
        let fingerprint: String = [entry.id, title, entry.summary ?? ""].joined(separator: "\u{0}")
        let hash = ContentHash.of(Array(fingerprint.utf8))
        let details = ObservedPage.Details(
            title: title, summary: entry.summary, url: link, topics: identity.topics(of: String(path.dropFirst()), declared: []),
            lastUpdated: nil, postDate: date, draft: false, hash: hash, modified: date)
        observed.append(ObservedPage(path: link, kind: .post, stamp: ContentFileStamp(size: 0, modifiedNanos: 0, inode: 0), content: .page(details)))
        var resource = resources[link] ?? WebResource(url: link, role: .post)
        resource.role = .post
        resource.fetchedAt = now
        updates[link] = resource
    }

    // MARK: Pages

    /// Fetches the pages that may have changed: new ones, those whose sitemap lastmod moved,
    /// and (conditionally) those without a lastmod; skips addresses still backing off.
    mutating func fetchPages(_ pool: FetchPool, spreadOver: TimeInterval? = nil) {
        var candidates = pendingSitemapEntries
        for page in site.sources.pages where candidates[page.absoluteString] == nil { candidates[page.absoluteString] = .some(nil) }
        var requests: [(HTTPRequest, String?)] = []
        for (url, lastmod) in candidates.sorted(by: { $0.key < $1.key }) {
            guard Self.isWeb(url), !postURLs.contains(url), site.watches(path: Self.pagePath(url)) else { continue }
            pagesSeen += 1
            let resource = resources[url]
            let known = recorded[url].map { $0.status != .skipped && $0.status != .removed } ?? false
            if let resource, resource.failures > 0, let next = resource.nextAttemptAt, next > now { continue }
            if known, let lastmod, let resource, resource.sitemapLastmod == lastmod, resource.failures == 0 { continue }
            guard allowed(url) else {
                fail(url, role: .page, .disallowedByRobots)
                continue
            }
            let request = known ? HTTPRequest(url: url, etag: resource?.etag, lastModified: resource?.lastModified) : HTTPRequest(url: url)
            requests.append((request, lastmod))
        }
        if let spreadOver, !requests.isEmpty {
            var perHost: [String: Int] = [:]
            for (request, _) in requests { perHost[FetchPool.host(of: request.url), default: 0] += 1 }
            // At most 2 s apart: a small site's check is still over in a minute or two.
            for (host, count) in perHost { pool.setDelay(min(2, spreadOver / Double(count)), forHost: host) }
        }
        let results = pool.fetchAll(requests.map(\.0))
        for ((request, lastmod), result) in zip(requests, results) {
            switch result {
            case .failure(let error):
                fail(request.url, role: .page, error)
            case .success(let response) where response.notModified:
                succeed(request.url, role: .page, response: response, sitemapLastmod: lastmod)
            case .success(let response):
                if let problem = readPage(request.url, response) {
                    fail(request.url, role: .page, reason: problem, kind: "not_a_page")
                } else {
                    succeed(request.url, role: .page, response: response, sitemapLastmod: lastmod)
                }
            }
        }
    }

    /// Reads a fetched page into `observed`, or says why it is not a page.
    private mutating func readPage(_ url: String, _ response: HTTPResponse) -> String? {
        if let type = response.contentType, type != "text/html", type != "application/xhtml+xml" {
            return "not an HTML page (\(type))"
        }
        if TextDecoding.looksBinary(response.body) { return "not an HTML page (binary content)" }
        let (text, _) = TextDecoding.utf8(response.body)
        let reading = reader.read(text, url: response.url)
        if let reason = reading.notAPage { return reason }
        let path = Self.pagePath(url)
        let title = reading.title ?? identity.fallbackTitle(of: String(path.dropFirst()))
        let modified = MarkerDate(instant: now)
        let fingerprint: String = [title, reading.summary ?? "", reading.lastUpdated?.iso ?? ""].joined(separator: "\u{0}")
        let hash = ContentHash.of(Array(fingerprint.utf8))
        let details = ObservedPage.Details(
            title: title, summary: reading.summary, url: url, topics: identity.topics(of: String(path.dropFirst()), declared: []),
            lastUpdated: reading.lastUpdated, postDate: reading.published ?? reading.lastUpdated ?? modified, draft: false, hash: hash,
            modified: modified)
        var page = ObservedPage(
            path: url, kind: .page, stamp: ContentFileStamp(size: Int64(response.body.count), modifiedNanos: 0, inode: 0), content: .page(details))
        page.warnings = reading.warnings
        observed.append(page)
        return nil
    }

    // MARK: Gone

    /// Pages the sitemaps listed before and did not list in two successful reads in a row.
    /// Explicit pages and posts are never gone: a failed fetch says nothing about a page.
    mutating func findGone() {
        guard let listed else { return }
        let explicit = Set(site.sources.pages.map(\.absoluteString))
        for (url, resource) in resources where resource.role == .page && !explicit.contains(url) {
            guard recorded[url].map({ $0.status != .removed }) == true else { continue }
            var next = updates[url] ?? resource
            if listed[url] != nil {
                next.missingScans = 0
            } else {
                next.missingScans += 1
                if next.missingScans >= 2 { gone.append(url) }
            }
            if next != resource { updates[url] = next }
        }
        gone.sort()
    }

    // MARK: Address state

    private mutating func succeed(_ url: String, role: WebResource.Role, response: HTTPResponse, sitemapLastmod: String? = nil) {
        var resource = updates[url] ?? resources[url] ?? WebResource(url: url, role: role)
        resource.role = role
        if !response.notModified {
            resource.etag = response.etag
            resource.lastModified = response.lastModified
        }
        resource.sitemapLastmod = sitemapLastmod
        resource.fetchedAt = now
        WebsiteMetrics.answered(notModified: response.notModified)
        resource.failures = 0
        resource.failingSince = nil
        resource.nextAttemptAt = nil
        resource.lastError = nil
        updates[url] = resource
    }

    private mutating func fail(_ url: String, role: WebResource.Role, _ error: HTTPFetchError) {
        // Not a failure of the site: the scan is being abandoned and records nothing.
        if error == .stopped { return }
        fail(url, role: role, reason: error.reason, kind: error.kind)
    }

    /// Counts a failure and schedules the retry: 5 minutes, doubling, at most a day; the
    /// page itself is left as it was.
    private mutating func fail(_ url: String, role: WebResource.Role, reason: String, kind: String) {
        var resource = updates[url] ?? resources[url] ?? WebResource(url: url, role: role)
        resource.role = role
        resource.failures += 1
        resource.failingSince = resource.failingSince ?? now
        resource.lastError = reason
        let backoff = min(86400, 300 * pow(2, Double(min(resource.failures - 1, 10))))
        resource.nextAttemptAt = now.addingTimeInterval(backoff)
        updates[url] = resource
        warnings.append(ScanWarning(path: url, reason: reason))
        WebsiteMetrics.failed(kind: kind)
        if let since = resource.failingSince, now.timeIntervalSince(since) >= site.settings.warnAfter { longFailing.append(resource) }
    }

    // MARK: Addresses

    static func isWeb(_ url: String) -> Bool {
        let lower = url.lowercased()
        return lower.hasPrefix("http://") || lower.hasPrefix("https://")
    }

    /// The path of a URL ("/" at least), percent-decoded, for rules and topics.
    static func pagePath(_ url: String) -> String {
        guard let components = URLComponents(string: url) else { return "/" }
        return components.path.isEmpty ? "/" : components.path
    }
}
