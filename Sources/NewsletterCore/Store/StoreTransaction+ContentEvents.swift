import Foundation

/// SQL for content events.
extension StoreTransaction {
    /// Records an event unless the same change (kind, path and marker) is already recorded.
    /// Returns the stored event when it is new, nil when it was already there.
    @discardableResult
    public func recordEvent(_ event: NewContentEvent, detectedAt: Date) throws -> ContentEvent? {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO content_event (kind, path, title, summary, url, topics, marker, detected_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (kind, path, marker) DO NOTHING
            """)
        try statement.execute(arguments: [
            event.kind.rawValue, event.path, event.title, event.summary, event.url, Self.encodeTopics(event.topics), event.marker,
            StoredDate.text(detectedAt),
        ])
        guard db.changesCount == 1 else { return nil }
        return ContentEvent(
            id: try db.lastInsertedRowID, kind: event.kind, path: event.path, title: event.title, summary: event.summary, url: event.url,
            topics: event.topics, marker: event.marker, detectedAt: detectedAt)
    }

    /// Events detected after `start` (all of them when nil) and at or before `end`, oldest first.
    public func events(detectedAfter start: Date?, upTo end: Date) throws -> [ContentEvent] {
        var sql = "SELECT id, kind, path, title, summary, url, topics, marker, detected_at FROM content_event WHERE detected_at <= ?"
        var arguments: SQLArguments = [StoredDate.text(end)]
        if let start {
            sql += " AND detected_at > ?"
            _ = arguments.append(contentsOf: [StoredDate.text(start)])
        }
        return try SQLRow.fetchAll(db, sql: sql + " ORDER BY detected_at, id", arguments: arguments).map(Self.event(from:))
    }

    /// The most recent events, newest first.
    public func recentEvents(limit: Int, since: Date? = nil) throws -> [ContentEvent] {
        var sql = "SELECT id, kind, path, title, summary, url, topics, marker, detected_at FROM content_event"
        var arguments: SQLArguments = []
        if let since {
            sql += " WHERE detected_at >= ?"
            _ = arguments.append(contentsOf: [StoredDate.text(since)])
        }
        return try SQLRow.fetchAll(db, sql: sql + " ORDER BY detected_at DESC, id DESC LIMIT \(max(0, limit))", arguments: arguments)
            .map(Self.event(from:))
    }

    static func event(from row: SQLRow) -> ContentEvent {
        ContentEvent(
            id: row[0], kind: ContentEventKind(rawValue: row[1]) ?? .pageUpdated, path: row[2], title: row[3], summary: row[4],
            url: row[5], topics: decodeTopics(row[6]), marker: row[7], detectedAt: row[8])
    }
}
