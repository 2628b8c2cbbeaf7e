import Foundation

/// SQL for what website watching remembers about each address it fetches.
extension StoreTransaction {
    static let webResourceColumns = """
        url, role, etag, last_modified, sitemap_lastmod, fetched_at, failures, failing_since, next_attempt_at, last_error, missing_scans
        """

    /// Every remembered address, by URL; only those whose last fetch failed with `failingOnly`.
    public func webResources(failingOnly: Bool = false) throws -> [String: WebResource] {
        var found: [String: WebResource] = [:]
        let rows = try SQLRow.fetchCursor(db, sql: "SELECT \(Self.webResourceColumns) FROM web_resource" + (failingOnly ? " WHERE failures > 0" : ""))
        while let row = try rows.next() {
            let resource = WebResource(
                url: row[0], role: WebResource.Role(rawValue: row[1]) ?? .page, etag: row[2], lastModified: row[3], sitemapLastmod: row[4],
                fetchedAt: row[5], failures: row[6], failingSince: row[7],
                nextAttemptAt: row[8], lastError: row[9], missingScans: row[10])
            found[resource.url] = resource
        }
        return found
    }

    /// Inserts or replaces each address's state.
    public func saveWebResources(_ resources: [WebResource]) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO web_resource (\(Self.webResourceColumns))
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (url) DO UPDATE SET role = excluded.role, etag = excluded.etag, last_modified = excluded.last_modified,
                sitemap_lastmod = excluded.sitemap_lastmod, fetched_at = excluded.fetched_at, failures = excluded.failures,
                failing_since = excluded.failing_since, next_attempt_at = excluded.next_attempt_at, last_error = excluded.last_error,
                missing_scans = excluded.missing_scans
            """)
        for resource in resources {
            try statement.execute(arguments: [
                resource.url, resource.role.rawValue, resource.etag, resource.lastModified, resource.sitemapLastmod,
                StoredDate.text(resource.fetchedAt), resource.failures, StoredDate.text(resource.failingSince),
                StoredDate.text(resource.nextAttemptAt), resource.lastError, resource.missingScans,
            ])
        }
    }

    /// How many addresses' last fetch failed.
    public func failingWebResourceCount() throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM web_resource WHERE failures > 0") ?? 0
    }
}
