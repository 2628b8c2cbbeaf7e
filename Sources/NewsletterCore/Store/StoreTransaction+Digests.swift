import Foundation

/// A subscriber due a digest, and where their digest starts.
public struct DigestRecipient: Sendable, Equatable {
    public var subscriber: Subscriber
    /// Events detected after this go in their next digest.
    public var watermark: Date
}

/// One digest as recorded.
public struct DigestRecord: Sendable, Equatable {
    public var cadence: DigestCadence
    public var period: String
    public var cutoff: Date
    public var eventIDs: [Int64]
    public var outboxID: Int64?
}

/// SQL for digests and blog-notification batches.
extension StoreTransaction {
    /// The watermark: the latest digest cut-off, or when they last became active if that is later.
    private var watermark: String {
        db.greatest("COALESCE(s.active_since, s.created_at)", "COALESCE((SELECT MAX(d.cutoff) FROM digest d WHERE d.subscriber_id = s.id), '')")
    }
    private var recipientColumns: String { "\(Self.subscriberColumns), \(watermark) AS watermark" }

    private var dueRecipientsSQL: String { """
        SELECT \(recipientColumns) FROM subscriber s
        WHERE s.status = 'active' AND s.digest = ? AND s.id > ? AND s.active_since <= ?
          AND NOT EXISTS (SELECT 1 FROM digest d WHERE d.subscriber_id = s.id AND d.cadence = ? AND d.period = ?)
        ORDER BY s.id LIMIT ?
        """
    }

    /// Active subscribers on `cadence`, active by `cutoff`, with no digest yet for `period`;
    /// `limit` of them with ids above `afterID`, in id order.
    public func dueDigestRecipients(cadence: DigestCadence, period: String, upTo cutoff: Date, afterID: Int64, limit: Int) throws
        -> [DigestRecipient]
    {
        let statement = try db.cachedStatement(sql: dueRecipientsSQL)
        return try SQLRow.fetchAll(
            statement, arguments: [cadence.rawValue, afterID, StoredDate.text(cutoff), cadence.rawValue, period, limit]
        ).map(Self.recipient(from:))
    }

    /// `dueDigestRecipients`, one at a time: a chunk of 5,000 is never all in memory at once.
    /// `body` may write the digest rows of the recipient it is given (later ones are unaffected).
    /// Returns how many there were.
    @discardableResult
    public func forEachDueDigestRecipient(
        cadence: DigestCadence, period: String, upTo cutoff: Date, afterID: Int64, limit: Int, _ body: (DigestRecipient) throws -> Void
    ) throws -> Int {
        let statement = try db.cachedStatement(sql: dueRecipientsSQL)
        let cursor = try SQLRow.fetchCursor(
            statement, arguments: [cadence.rawValue, afterID, StoredDate.text(cutoff), cadence.rawValue, period, limit])
        var count = 0
        while let row = try cursor.next() {
            count += 1
            try body(Self.recipient(from: row))
        }
        return count
    }

    /// The oldest watermark among the subscribers `dueDigestRecipients` would return.
    public func earliestDigestWatermark(cadence: DigestCadence, period: String, upTo cutoff: Date) throws -> Date? {
        try Date.fetchOne(
            db,
            sql: """
                SELECT MIN(\(watermark)) FROM subscriber s
                WHERE s.status = 'active' AND s.digest = ? AND s.active_since <= ?
                  AND NOT EXISTS (SELECT 1 FROM digest d WHERE d.subscriber_id = s.id AND d.cadence = ? AND d.period = ?)
                """,
            arguments: [cadence.rawValue, StoredDate.text(cutoff), cadence.rawValue, period])
    }

    public func digestRecipient(key: String) throws -> DigestRecipient? {
        try SQLRow.fetchOne(db, sql: "SELECT \(recipientColumns) FROM subscriber s WHERE email_key = ?", arguments: [key])
            .map(Self.recipient(from:))
    }

    public func insertDigestSelection(eventIDs: [Int64], at now: Date) throws -> Int64 {
        try db.execute(
            sql: "INSERT INTO digest_selection (event_ids, created_at) VALUES (?, ?)",
            arguments: [Self.encodeIDs(eventIDs), StoredDate.text(now)])
        return try db.lastInsertedRowID
    }

    /// Records the subscriber's digest for the period, which moves their watermark to its cut-off.
    public func recordDigest(
        subscriberID: Int64, cadence: DigestCadence, period: String, cutoff: Date, selectionID: Int64?, outboxID: Int64?, at now: Date
    ) throws {
        try recordDigests([(subscriberID, selectionID, outboxID)], cadence: cadence, period: period, cutoff: cutoff, at: now)
    }

    /// Records many subscribers' digests for one run, 300 to a statement: each row is
    /// (subscriber, selection, outbox message), as ``recordDigest(subscriberID:cadence:period:cutoff:selectionID:outboxID:at:)``.
    public func recordDigests(
        _ rows: [(subscriberID: Int64, selectionID: Int64?, outboxID: Int64?)], cadence: DigestCadence, period: String, cutoff: Date,
        at now: Date
    ) throws {
        let cutoffText = StoredDate.text(cutoff)
        let time = StoredDate.text(now)
        for chunk in Self.chunks(rows, size: 300) {
            var arguments = SQLArguments(values: [])
            for row in chunk { arguments += [row.subscriberID, cadence.rawValue, period, cutoffText, row.selectionID, row.outboxID, time] }
            try db.execute(
                sql: """
                    INSERT INTO digest (subscriber_id, cadence, period, cutoff, selection_id, outbox_id, created_at)
                    VALUES \(Array(repeating: "(?, ?, ?, ?, ?, ?, ?)", count: chunk.count).joined(separator: ", "))
                    """,
                arguments: arguments)
        }
    }

    public func digests(subscriberID: Int64) throws -> [DigestRecord] {
        try SQLRow.fetchAll(
            db,
            sql: """
                SELECT d.cadence, d.period, d.cutoff, s.event_ids, d.outbox_id
                FROM digest d LEFT JOIN digest_selection s ON s.id = d.selection_id
                WHERE d.subscriber_id = ? ORDER BY d.id
                """,
            arguments: [subscriberID]
        ).map { row in
            DigestRecord(
                cadence: DigestCadence(rawValue: row[0]) ?? .weekly, period: row[1], cutoff: row[2], eventIDs: Self.decodeIDs(row[3]),
                outboxID: row[4])
        }
    }

    // MARK: Blog notifications

    /// The cut-off of the last blog-notification batch.
    public func lastBlogBatchCutoff() throws -> Date? {
        try Date.fetchOne(db, sql: "SELECT MAX(cutoff) FROM blog_batch")
    }

    public func recordBlogBatch(cutoff: Date, eventIDs: [Int64], at now: Date) throws {
        try db.execute(
            sql: "INSERT INTO blog_batch (cutoff, event_ids, created_at) VALUES (?, ?, ?)",
            arguments: [StoredDate.text(cutoff), Self.encodeIDs(eventIDs), StoredDate.text(now)])
    }

    /// Active subscribers who take blog posts as they appear.
    public func forEachImmediateBlogSubscriber(_ body: (Subscriber) throws -> Void) throws {
        let rows = try SQLRow.fetchCursor(
            db, sql: "SELECT \(Self.subscriberColumns) FROM subscriber WHERE status = 'active' AND blog = 'immediate' ORDER BY id")
        while let row = try rows.next() { try body(Self.subscriber(from: row)) }
    }

    static func recipient(from row: SQLRow) -> DigestRecipient {
        DigestRecipient(subscriber: subscriber(from: row), watermark: row[Self.subscriberColumnCount])
    }

    static func encodeIDs(_ ids: [Int64]) -> String {
        "[" + ids.map(String.init).joined(separator: ",") + "]"
    }

    static func decodeIDs(_ json: String?) -> [Int64] {
        guard let json else { return [] }
        return json.dropFirst().dropLast().split(separator: ",").compactMap { Int64($0.trimmingSpaces) }
    }
}
