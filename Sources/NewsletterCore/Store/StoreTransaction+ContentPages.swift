import Foundation

/// SQL for the state content scanning keeps: one row per file, and one for the tree.
extension StoreTransaction {
    /// Every column but the key, from the row that lost the conflict: the upsert both backends know.
    static let contentPageUpdates = contentPageColumns.split(separator: ",").dropFirst()
        .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.map { "\($0) = excluded.\($0)" }.joined(separator: ", ")

    static let contentPageColumns = """
        path, kind, status, title, summary, url, topics, last_updated, recorded_marker, published_on, announced, \
        content_hash, size, modified_ns, inode, first_seen, changed_at, removed_at, problem
        """

    public func contentPage(path: String) throws -> ContentPage? {
        let statement = try db.cachedStatement(sql: "SELECT \(Self.contentPageColumns) FROM content_page WHERE path = ?")
        return try SQLRow.fetchOne(statement, arguments: [path]).map(Self.contentPage(from:))
    }

    /// Every tracked file (removed ones included), in path order.
    public func contentPages() throws -> [ContentPage] {
        try SQLRow.fetchAll(db, sql: "SELECT \(Self.contentPageColumns) FROM content_page ORDER BY path").map(Self.contentPage(from:))
    }

    /// The paths of files at `path` or inside the folder `path`, removed ones excluded.
    public func contentPaths(at path: String) throws -> [String] {
        if path.isEmpty {
            return try String.fetchAll(db, sql: "SELECT path FROM content_page WHERE status <> 'removed'")
        }
        // A range on the primary key instead of LIKE, which would treat % and _ in names as wildcards.
        return try String.fetchAll(
            db, sql: "SELECT path FROM content_page WHERE status <> 'removed' AND (path = ? OR (path > ? AND path < ?))",
            arguments: [path, path + "/", path + "0"])
    }

    /// How each file not removed looked when it was last read successfully; files that could
    /// not be read have no stamp, so every scan tries them again.
    public func contentFileStamps() throws -> [String: ContentFileStamp?] {
        var stamps: [String: ContentFileStamp?] = [:]
        let rows = try SQLRow.fetchCursor(
            db, sql: "SELECT path, size, modified_ns, inode, problem IS NULL AND status <> 'skipped' FROM content_page WHERE status <> 'removed'")
        while let row = try rows.next() {
            let readable: Bool = row[4]
            stamps[row[0]] = readable ? ContentFileStamp(size: row[1], modifiedNanos: row[2], inode: row[3]) : nil
        }
        return stamps
    }

    /// Inserts or replaces the state of one file.
    public func saveContentPage(_ page: ContentPage) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO content_page (\(Self.contentPageColumns))
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (path) DO UPDATE SET \(Self.contentPageUpdates)
            """)
        try statement.execute(arguments: [
            page.path, page.kind.rawValue, page.status.rawValue, page.title, page.summary, page.url, Self.encodeTopics(page.topics),
            page.lastUpdated, page.recordedMarker, page.publishedOn, page.announced, page.contentHash, page.size, page.modifiedNanos,
            page.inode, StoredDate.text(page.firstSeen), StoredDate.text(page.changedAt), StoredDate.text(page.removedAt), page.problem,
        ])
    }

    public func deleteContentPage(path: String) throws {
        try db.execute(sql: "DELETE FROM content_page WHERE path = ?", arguments: [path])
    }

    /// How many files of each kind are tracked, removed ones excluded.
    public func contentPageCounts() throws -> [ContentPageKind: Int] {
        var counts: [ContentPageKind: Int] = [:]
        for row in try SQLRow.fetchAll(db, sql: "SELECT kind, COUNT(*) FROM content_page WHERE status <> 'removed' GROUP BY kind") {
            if let kind = ContentPageKind(rawValue: row[0]) { counts[kind] = row[1] }
        }
        return counts
    }

    /// A removed file of this kind with these exact bytes or this URL: what a moved file was.
    public func removedContentPage(kind: ContentPageKind, hash: String?, url: String) throws -> ContentPage? {
        let statement = try db.cachedStatement(sql: """
            SELECT \(Self.contentPageColumns) FROM content_page
            WHERE status = 'removed' AND kind = ? AND (content_hash = ? OR url = ?)
            ORDER BY removed_at DESC LIMIT 1
            """)
        return try SQLRow.fetchOne(statement, arguments: [kind.rawValue, hash, url]).map(Self.contentPage(from:))
    }

    /// Posts waiting for their publication date.
    public func scheduledPosts() throws -> [ContentPage] {
        try SQLRow.fetchAll(db, sql: "SELECT \(Self.contentPageColumns) FROM content_page WHERE status = 'scheduled' ORDER BY path")
            .map(Self.contentPage(from:))
    }

    public func contentScanState() throws -> ContentScanState? {
        try SQLRow.fetchOne(db, sql: "SELECT root, baseline_at, last_scan_at, last_full_scan_at FROM content_scan WHERE id = 1").map {
            ContentScanState(root: $0[0], baselineAt: $0[1], lastScanAt: $0[2], lastFullScanAt: $0[3])
        }
    }

    public func saveContentScanState(_ state: ContentScanState) throws {
        try db.execute(
            sql: """
                INSERT INTO content_scan (id, root, baseline_at, last_scan_at, last_full_scan_at)
                VALUES (1, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET root = excluded.root, baseline_at = excluded.baseline_at,
                    last_scan_at = excluded.last_scan_at, last_full_scan_at = excluded.last_full_scan_at
                """,
            arguments: [state.root, StoredDate.text(state.baselineAt), StoredDate.text(state.lastScanAt), StoredDate.text(state.lastFullScanAt)])
    }

    static func contentPage(from row: SQLRow) -> ContentPage {
        ContentPage(
            path: row[0], kind: ContentPageKind(rawValue: row[1]) ?? .page, status: ContentPageStatus(rawValue: row[2]) ?? .skipped,
            title: row[3], summary: row[4], url: row[5], topics: decodeTopics(row[6]), lastUpdated: row[7], recordedMarker: row[8],
            publishedOn: row[9], announced: row[10], contentHash: row[11], size: row[12], modifiedNanos: row[13], inode: row[14],
            firstSeen: row[15], changedAt: row[16], removedAt: row[17], problem: row[18])
    }
}
