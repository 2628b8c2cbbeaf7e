import Foundation

/// What website watching remembers about one address it fetches (a page, a post, a sitemap, a
/// feed): the validators for a conditional request, the sitemap's `lastmod` it was last read
/// under, and its failures, so that a failed fetch is retried with backoff and reported
/// instead of being taken for a change.
public struct WebResource: Sendable, Equatable {
    public enum Role: String, Sendable, CaseIterable {
        case page, post, sitemap, feed
    }

    public var url: String
    public var role: Role
    public var etag: String?
    public var lastModified: String?
    /// The sitemap's `lastmod` for the page when it was last read (as the sitemap wrote it).
    public var sitemapLastmod: String?
    /// The last successful fetch (a 200 or a 304).
    public var fetchedAt: Date?
    /// Failed fetches in a row.
    public var failures: Int
    /// When the current run of failures began.
    public var failingSince: Date?
    /// Not before this time is a failed address tried again.
    public var nextAttemptAt: Date?
    public var lastError: String?
    /// Successful sitemap reads in a row that did not list this page.
    public var missingScans: Int

    public init(
        url: String, role: Role, etag: String? = nil, lastModified: String? = nil, sitemapLastmod: String? = nil, fetchedAt: Date? = nil,
        failures: Int = 0, failingSince: Date? = nil, nextAttemptAt: Date? = nil, lastError: String? = nil, missingScans: Int = 0
    ) {
        self.url = url
        self.role = role
        self.etag = etag
        self.lastModified = lastModified
        self.sitemapLastmod = sitemapLastmod
        self.fetchedAt = fetchedAt
        self.failures = failures
        self.failingSince = failingSince
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.missingScans = missingScans
    }
}
