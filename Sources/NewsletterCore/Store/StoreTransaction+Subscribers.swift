import Foundation

/// SQL for the subscriber table.
extension StoreTransaction {
    static let subscriberColumns = "id, email, name, status, digest, blog, topics, created_at, updated_at, active_since, link_key, legacy_links, first_name"
    /// Where the columns after ``subscriberColumns`` start in a row.
    static let subscriberColumnCount = 13

    public func subscriber(key: String) throws -> Subscriber? {
        try SQLRow.fetchOne(
            db, sql: "SELECT \(Self.subscriberColumns) FROM subscriber WHERE email_key = ?", arguments: [key]
        ).map(Self.subscriber(from:))
    }

    public func subscriber(id: Int64) throws -> Subscriber? {
        try SQLRow.fetchOne(
            db, sql: "SELECT \(Self.subscriberColumns) FROM subscriber WHERE id = ?", arguments: [id]
        ).map(Self.subscriber(from:))
    }

    /// Inserts a subscriber unless the address is already present; returns the new id, or
    /// nil when it was present.
    public func insertSubscriber(_ new: NewSubscriber, at now: Date) throws -> Int64? {
        let time = StoredDate.text(now)
        let statement = try db.cachedStatement(sql: """
            INSERT INTO subscriber (email, email_key, name, status, digest, blog, topics, created_at, updated_at, active_since, first_name)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (email_key) DO NOTHING
            """)
        try statement.execute(arguments: [
            new.email.value, new.email.key, new.name, new.status.rawValue, new.digest.rawValue, new.blog.rawValue,
            Self.encodeTopics(new.topics), time, time, new.status == .active ? time : nil, new.firstName,
        ])
        return db.changesCount == 1 ? try db.lastInsertedRowID : nil
    }

    /// Writes every field of `subscriber` back, stamping `updated_at`.
    public func updateSubscriber(_ subscriber: Subscriber) throws {
        try db.execute(
            sql: """
                UPDATE subscriber SET name = ?, status = ?, digest = ?, blog = ?, topics = ?, updated_at = ?, active_since = ?,
                    first_name = ?
                WHERE id = ?
                """,
            arguments: [
                subscriber.name, subscriber.status.rawValue, subscriber.digest.rawValue, subscriber.blog.rawValue,
                Self.encodeTopics(subscriber.topics), StoredDate.text(subscriber.updatedAt), StoredDate.text(subscriber.activeSince),
                subscriber.firstName, subscriber.id,
            ])
    }

    /// Deletes the subscriber and, through the foreign keys, everything that names them.
    public func deleteSubscriber(id: Int64) throws {
        try db.execute(sql: "DELETE FROM subscriber WHERE id = ?", arguments: [id])
    }

    /// Calls `body` with each subscriber matching the filter, in address order, without
    /// loading the whole list into memory.
    public func forEachSubscriber(_ filter: SubscriberFilter, _ body: (Subscriber) throws -> Void) throws {
        var clauses: [String] = []
        var arguments: SQLArguments = []
        if !filter.statuses.isEmpty {
            clauses.append("status IN (\(filter.statuses.map { _ in "?" }.joined(separator: ", ")))")
            for status in filter.statuses { _ = arguments.append(contentsOf: [status.rawValue]) }
        }
        if let topic = filter.topic {
            // A subscriber with no topics takes every topic.
            clauses.append("(topics = '[]' OR EXISTS (SELECT 1 FROM \(db.jsonEach("subscriber.topics", as: "t")) WHERE t.value = ?))")
            _ = arguments.append(contentsOf: [topic])
        }
        let whereClause = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        let rows = try SQLRow.fetchCursor(
            db, sql: "SELECT \(Self.subscriberColumns) FROM subscriber \(whereClause) ORDER BY email_key",
            arguments: arguments)
        while let row = try rows.next() {
            try body(Self.subscriber(from: row))
        }
    }

    /// Subscriber counts by status, cadence and blog mode.
    public func subscriberCounts() throws -> [(status: SubscriberStatus, digest: DigestCadence, blog: BlogMode, count: Int)] {
        try SQLRow.fetchAll(db, sql: "SELECT status, digest, blog, COUNT(*) AS n FROM subscriber GROUP BY status, digest, blog")
            .compactMap { row in
                guard let status = SubscriberStatus(rawValue: row["status"]), let digest = DigestCadence(rawValue: row["digest"]),
                    let blog = BlogMode(rawValue: row["blog"])
                else { return nil }
                return (status, digest, blog, row["n"])
            }
    }

    /// How many subscribers were created at or after `date`.
    public func subscribersCreated(since date: Date) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM subscriber WHERE created_at >= ?", arguments: [StoredDate.text(date)]) ?? 0
    }

    static func subscriber(from row: SQLRow) -> Subscriber {
        Subscriber(
            id: row[0],
            email: row[1],
            name: row[2],
            status: SubscriberStatus(rawValue: row[3]) ?? .pending,
            digest: DigestCadence(rawValue: row[4]) ?? .default,
            blog: BlogMode(rawValue: row[5]) ?? .default,
            topics: decodeTopics(row[6]),
            createdAt: row[7],
            updatedAt: row[8],
            activeSince: row[9],
            linkKey: row[10],
            legacyLinks: row[11],
            firstName: row[12])
    }

    /// Topics are slugs (letters, digits, hyphens), so their JSON needs no escaping.
    static func encodeTopics(_ topics: [String]) -> String {
        topics.isEmpty ? "[]" : "[" + topics.map { "\"\($0)\"" }.joined(separator: ",") + "]"
    }

    static func decodeTopics(_ json: String) -> [String] {
        if json == "[]" { return [] }
        if !json.contains("\\"), json.hasPrefix("[\""), json.hasSuffix("\"]") {
            return json.dropFirst(2).dropLast(2).components(separatedBy: "\",\"")
        }
        let decoded = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String]
        return decoded ?? []
    }
}

/// A subscriber about to be inserted.
public struct NewSubscriber: Sendable {
    public var email: EmailAddress
    public var name: String?
    public var firstName: String?
    public var status: SubscriberStatus
    public var digest: DigestCadence
    public var blog: BlogMode
    public var topics: [String]

    public init(
        email: EmailAddress, name: String? = nil, status: SubscriberStatus = .active, digest: DigestCadence = .default,
        blog: BlogMode = .default, topics: [String] = [], firstName: String? = nil
    ) {
        self.email = email
        self.name = name
        self.firstName = firstName
        self.status = status
        self.digest = digest
        self.blog = blog
        self.topics = topics
    }
}

/// Which subscribers a listing takes.
public struct SubscriberFilter: Sendable {
    public var statuses: [SubscriberStatus]
    public var topic: String?

    public init(statuses: [SubscriberStatus] = [], topic: String? = nil) {
        self.statuses = statuses
        self.topic = topic
    }
}
