import Foundation

/// SQL for purging sign-ups never confirmed, and the log that records each purge.
extension StoreTransaction {
    /// Pending subscribers unchanged since before `cutoff`, oldest first.
    public func pendingSubscribers(unchangedBefore cutoff: Date, limit: Int) throws -> [Subscriber] {
        try SQLRow.fetchAll(
            db,
            sql: "SELECT \(Self.subscriberColumns) FROM subscriber WHERE status = 'pending' AND updated_at < ? ORDER BY updated_at LIMIT ?",
            arguments: [StoredDate.text(cutoff), limit]
        ).map(Self.subscriber(from:))
    }

    /// Records a purge: the hash of the address, never the address.
    public func appendPurge(_ entry: PurgeEntry) throws {
        try db.execute(
            sql: "INSERT INTO purge_log (at, actor, address_hash, signed_up_at, reason) VALUES (?, ?, ?, ?, ?)",
            arguments: [StoredDate.text(entry.at), entry.actor, entry.addressHash, StoredDate.text(entry.signedUpAt), entry.reason])
    }

    public func purgeLog() throws -> [PurgeEntry] {
        try SQLRow.fetchAll(db, sql: "SELECT at, actor, address_hash, signed_up_at, reason FROM purge_log ORDER BY id").map { row in
            PurgeEntry(at: row[0], actor: row[1], addressHash: row[2], signedUpAt: row[3], reason: row[4])
        }
    }
}

/// One line of the purge log: a sign-up deleted because nobody confirmed it. The subscriber's
/// own consent log goes with the row, as at an erase; this line keeps the fact.
public struct PurgeEntry: Sendable, Equatable {
    public var at: Date
    public var actor: String
    /// The suppression list's hash of the address.
    public var addressHash: String
    public var signedUpAt: Date
    public var reason: String
}
