import Foundation

/// SQL for the consent log and the suppression list.
extension StoreTransaction {
    public func appendConsent(_ entry: ConsentEntry, subscriberID: Int64) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO consent_log (subscriber_id, at, actor, action, from_status, to_status, wording, client_address)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        try statement.execute(arguments: [
            subscriberID, StoredDate.text(entry.at), entry.actor, entry.action.rawValue, entry.fromStatus?.rawValue, entry.toStatus?.rawValue,
            entry.wording, entry.clientAddress,
        ])
    }

    public func consentLog(subscriberID: Int64) throws -> [ConsentEntry] {
        try SQLRow.fetchAll(
            db,
            sql: """
                SELECT at, actor, action, from_status, to_status, wording, client_address
                FROM consent_log WHERE subscriber_id = ? ORDER BY id
                """,
            arguments: [subscriberID]
        ).map { row in
            ConsentEntry(
                at: row[0], actor: row[1], action: ConsentAction(rawValue: row[2]) ?? .preferences,
                fromStatus: (row[3] as String?).flatMap(SubscriberStatus.init(rawValue:)),
                toStatus: (row[4] as String?).flatMap(SubscriberStatus.init(rawValue:)),
                wording: row[5], clientAddress: row[6])
        }
    }

    public func suppression(hash: String) throws -> Suppression? {
        let statement = try db.cachedStatement(sql: "SELECT reason, created_at, actor FROM suppression WHERE address_hash = ?")
        return try SQLRow.fetchOne(statement, arguments: [hash]).map { row in
            Suppression(reason: SuppressionReason(rawValue: row[0]) ?? .unsubscribed, createdAt: row[1], actor: row[2])
        }
    }

    /// Adds or replaces the suppression entry for an address hash.
    public func suppress(hash: String, reason: SuppressionReason, at date: Date, actor: String) throws {
        try db.execute(
            sql: """
                INSERT INTO suppression (address_hash, reason, created_at, actor) VALUES (?, ?, ?, ?)
                ON CONFLICT (address_hash) DO UPDATE SET reason = excluded.reason, created_at = excluded.created_at, actor = excluded.actor
                """,
            arguments: [hash, reason.rawValue, StoredDate.text(date), actor])
    }

    public func unsuppress(hash: String) throws {
        try db.execute(sql: "DELETE FROM suppression WHERE address_hash = ?", arguments: [hash])
    }

    public func suppressionCounts() throws -> [SuppressionReason: Int] {
        var counts: [SuppressionReason: Int] = [:]
        for row in try SQLRow.fetchAll(db, sql: "SELECT reason, COUNT(*) FROM suppression GROUP BY reason") {
            if let reason = SuppressionReason(rawValue: row[0]) { counts[reason] = row[1] }
        }
        return counts
    }

    /// How many status changes of the given kind the log holds since `date`.
    public func consentActions(_ action: ConsentAction, since date: Date) throws -> Int {
        try Int.fetchOne(
            db, sql: "SELECT COUNT(*) FROM consent_log WHERE action = ? AND at >= ?", arguments: [action.rawValue, StoredDate.text(date)]) ?? 0
    }
}
