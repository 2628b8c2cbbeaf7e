import Foundation

/// SQL for queueing messages. Sending, retrying and pruning build on these rows.
extension StoreTransaction {
    public func insertEdition(_ edition: NewEdition, at now: Date) throws -> Int64 {
        try db.execute(
            sql: "INSERT INTO edition (kind, subject, headers, text_body, html_body, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [edition.kind.rawValue, edition.subject, edition.headers, edition.text, edition.html, StoredDate.text(now)])
        return try db.lastInsertedRowID
    }

    public func edition(id: Int64) throws -> Edition? {
        try SQLRow.fetchOne(
            db, sql: "SELECT id, kind, subject, headers, text_body, html_body, created_at FROM edition WHERE id = ?", arguments: [id]
        ).map { row in
            Edition(
                id: row[0], kind: MessageKind(rawValue: row[1]) ?? .digest, subject: row[2], headers: row[3], text: row[4],
                html: row[5], createdAt: row[6])
        }
    }

    /// Queues a message; returns its outbox id.
    @discardableResult
    public func enqueue(_ message: NewOutboxMessage, at now: Date) throws -> Int64 {
        try enqueue([message], at: now)[0]
    }

    /// Queues many messages; returns their outbox ids in order. Rows go 300 to a statement:
    /// on PostgreSQL a statement is a round trip, and the weekly job queues one message per
    /// subscriber.
    @discardableResult
    public func enqueue(_ messages: [NewOutboxMessage], at now: Date) throws -> [Int64] {
        let time = StoredDate.text(now)
        var ids: [Int64] = []
        ids.reserveCapacity(messages.count)
        for chunk in Self.chunks(messages, size: 300) {
            var arguments = SQLArguments(values: [])
            var bodies: [String: Data] = [:]
            for message in chunk {
                var editionID: Int64?
                var merge: String?
                switch message.content {
                case .complete(let data): bodies[message.messageID] = data
                case .edition(let id, let fields):
                    editionID = id
                    merge = Self.encodeMerge(fields)
                case .pruned:
                    throw NewsletterError.internalError("cannot queue a message without a body")
                }
                arguments += [
                    message.kind.rawValue, message.subscriberID, editionID, message.envelopeFrom.value, message.envelopeTo.value,
                    message.messageID, merge, StoredDate.text(message.notBefore), time, time,
                ]
            }
            let rows = Array(repeating: "(?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?)", count: chunk.count).joined(separator: ", ")
            // RETURNING promises no order on SQLite: the ids are matched by Message-ID, which is unique.
            let returned = try SQLRow.fetchAll(
                db,
                sql: """
                    INSERT INTO outbox (kind, subscriber_id, edition_id, envelope_from, envelope_to, message_id, merge,
                                        state, next_attempt_at, created_at, updated_at)
                    VALUES \(rows) RETURNING id, message_id
                    """,
                arguments: arguments)
            var byMessageID: [String: Int64] = [:]
            for row in returned { byMessageID[row[1]] = row[0] }
            let chunkIDs = try chunk.map { message -> Int64 in
                guard let id = byMessageID[message.messageID] else {
                    throw NewsletterError.internalError("queued message \(message.messageID) came back without an id")
                }
                return id
            }
            ids += chunkIDs
            let withBodies = zip(chunk, chunkIDs).compactMap { message, id in bodies[message.messageID].map { (id, $0) } }
            if !withBodies.isEmpty {
                try db.execute(
                    sql: "INSERT INTO outbox_body (outbox_id, body) VALUES \(Array(repeating: "(?, ?)", count: withBodies.count).joined(separator: ", "))",
                    arguments: SQLArguments(values: withBodies.flatMap { id, body in [.integer(id), .blob(Array(body))] }))
            }
        }
        return ids
    }

    public func outboxMessage(id: Int64) throws -> OutboxMessage? {
        try SQLRow.fetchOne(db, sql: "SELECT \(Self.outboxColumns) FROM \(Self.outboxWithBody) WHERE outbox.id = ?", arguments: [id])
            .map(Self.outboxMessage(from:))
    }

    /// Cancels the subscriber's messages that are not sent yet; returns how many.
    @discardableResult
    public func cancelUnsentMessages(subscriberID: Int64, reason: String, at now: Date) throws -> Int {
        try db.execute(
            sql: """
                UPDATE outbox SET state = 'cancelled', last_text = ?, updated_at = ?
                WHERE subscriber_id = ? AND state IN ('queued', 'deferred')
                """,
            arguments: [reason, StoredDate.text(now), subscriberID])
        return db.changesCount
    }

    static let outboxColumns = """
        outbox.id, kind, subscriber_id, edition_id, envelope_from, envelope_to, message_id, merge, outbox_body.body, state, attempts, \
        next_attempt_at, last_code, last_text, created_at, updated_at, sent_at
        """

    /// The outbox with each message's stored body, if it has one.
    static let outboxWithBody = "outbox LEFT JOIN outbox_body ON outbox_body.outbox_id = outbox.id"

    static func outboxMessage(from row: SQLRow) -> OutboxMessage {
        let content: OutboxContent
        if let body: Data = row[8] {
            content = .complete(body)
        } else if let editionID: Int64 = row[3] {
            content = .edition(id: editionID, merge: decodeMerge(row[7]))
        } else {
            content = .pruned
        }
        return OutboxMessage(
            id: row[0], kind: MessageKind(rawValue: row[1]) ?? .test, subscriberID: row[2], envelopeFrom: row[4], envelopeTo: row[5],
            messageID: row[6], content: content, state: DeliveryState(rawValue: row[9]) ?? .queued, attempts: row[10],
            nextAttemptAt: row[11], lastCode: row[12], lastText: row[13], createdAt: row[14], updatedAt: row[15], sentAt: row[16])
    }

    static func encodeMerge(_ fields: [String: String]) -> String {
        MergeFields.encode(fields)
    }

    static func decodeMerge(_ json: String?) -> [String: String] {
        json.map(MergeFields.decode) ?? [:]
    }
}
