import Foundation

/// A link-signing secret kept in the database, for backends shared by several hosts
/// (PostgreSQL): every daemon must sign and verify with the same secrets. SQLite keeps its
/// secret in the `link-secret` file beside the database (``LinkSecret``).
package struct StoredLinkSecret: Sendable, Equatable {
    package var secret: Data
    /// Nil for the current secret.
    package var retiredAt: Date?

    package init(secret: Data, retiredAt: Date?) {
        self.secret = secret
        self.retiredAt = retiredAt
    }
}

extension StoreTransaction {
    /// The current secret first, then the retired ones, newest first.
    package func linkSecrets() throws -> [StoredLinkSecret] {
        try SQLRow.fetchAll(db, sql: "SELECT secret, retired_at FROM link_secret ORDER BY retired_at IS NOT NULL, retired_at DESC, id DESC")
            .map { StoredLinkSecret(secret: $0[0], retiredAt: $0[1]) }
    }

    /// The current secret, made now if there is none yet. Writes are serialized, so two
    /// daemons starting together agree on one.
    package func currentLinkSecret(at now: Date) throws -> Data {
        if let existing = try Data.fetchOne(db, sql: "SELECT secret FROM link_secret WHERE retired_at IS NULL") { return existing }
        let secret = LinkSecret.random()
        try db.execute(
            sql: "INSERT INTO link_secret (secret, created_at) VALUES (?, ?)", arguments: [secret, StoredDate.text(now)])
        return secret
    }

    /// Retires the current secret at `now`, makes a new one, and deletes secrets retired
    /// longer than `keepFor` ago.
    package func rotateLinkSecret(at now: Date, keepFor: TimeInterval) throws -> LinkSecret.Rotation {
        _ = try currentLinkSecret(at: now)
        try db.execute(sql: "UPDATE link_secret SET retired_at = ? WHERE retired_at IS NULL", arguments: [StoredDate.text(now)])
        try db.execute(
            sql: "DELETE FROM link_secret WHERE retired_at IS NOT NULL AND retired_at <= ?",
            arguments: [StoredDate.text(now.addingTimeInterval(-keepFor))])
        let dropped = db.changesCount
        let kept = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM link_secret WHERE retired_at IS NOT NULL") ?? 0
        _ = try currentLinkSecret(at: now)
        return LinkSecret.Rotation(stillValid: kept, dropped: dropped)
    }
}
