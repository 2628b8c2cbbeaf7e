import Foundation

/// Sign-up rate limits kept in a shared database (PostgreSQL), so that they hold across every
/// daemon serving the pages; one SQLite daemon keeps them in memory. Keys (a client address,
/// an email address) are stored only as hashes.
extension StoreTransaction {
    /// Records an attempt for `key` in `scope` at `now` if fewer than `limit` happened in the
    /// `window` before it; returns whether it was allowed, and if not, how long until it would be.
    package func rateLimitAttempt(scope: String, key: String, limit: Int, window: TimeInterval, at now: Date)
        throws -> (allowed: Bool, retryAfter: TimeInterval)
    {
        let hashed = EmailAddress.hash(key: key)
        try db.execute(
            sql: "DELETE FROM rate_limit_hit WHERE scope = ? AND at <= ?", arguments: [scope, StoredDate.text(now.addingTimeInterval(-window))])
        let times = try Date.fetchAll(
            db, sql: "SELECT at FROM rate_limit_hit WHERE scope = ? AND key_hash = ? ORDER BY at", arguments: [scope, hashed])
        if times.count >= limit {
            let retry = times[times.count - limit].addingTimeInterval(window).timeIntervalSince(now)
            return (false, max(1, retry))
        }
        try db.execute(
            sql: "INSERT INTO rate_limit_hit (scope, key_hash, at) VALUES (?, ?, ?)", arguments: [scope, hashed, StoredDate.text(now)])
        return (true, 0)
    }
}
