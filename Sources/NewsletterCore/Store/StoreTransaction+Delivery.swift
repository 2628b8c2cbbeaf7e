import Foundation

/// SQL for sending: claiming due messages, recording what happened, recovering after a
/// crash, pruning, and what `newsletterctl queue` reads and changes.
extension StoreTransaction {
    // MARK: Sending

    /// Moves rows a dead sender left `sending` back to the queue (`deferred` when they had
    /// been tried before, else `queued`), due at once; returns how many. Only call it while
    /// holding the sender lock, so no live sender's rows are touched.
    @discardableResult
    public func requeueInterruptedMessages(at now: Date) throws -> Int {
        try db.execute(
            sql: """
                UPDATE outbox SET state = CASE WHEN attempts > 0 THEN 'deferred' ELSE 'queued' END, updated_at = ?
                WHERE state = 'sending'
                """,
            arguments: [StoredDate.text(now)])
        return db.changesCount
    }

    /// Returns claimed messages that were not sent to the queue, as they were before the claim.
    public func releaseClaimedMessages(ids: [Int64], at now: Date) throws {
        let statement = try db.cachedStatement(sql: """
            UPDATE outbox SET state = CASE WHEN attempts > 0 THEN 'deferred' ELSE 'queued' END, updated_at = ?
            WHERE id = ? AND state = 'sending'
            """)
        let time = StoredDate.text(now)
        for id in ids { try statement.execute(arguments: [time, id]) }
    }

    /// Claims up to `limit` messages due by `dueBy` (deferred ones first, then queued, each
    /// oldest due first) and marks them `sending`. Messages whose subscriber has unsubscribed
    /// or bounced since they were queued, or whose address is now suppressed, are cancelled
    /// instead. Erased subscribers' messages are gone already (deleted with them).
    public func claimDueMessages(limit: Int, dueBy: Date, at now: Date) throws -> ClaimedMessages {
        let due = StoredDate.text(dueBy)
        let time = StoredDate.text(now)
        var rows: [SQLRow] = []
        for state in ["deferred", "queued"] where rows.count < limit {
            let statement = try db.cachedStatement(sql: """
                SELECT \(Self.claimColumns) FROM outbox o LEFT JOIN outbox_body b ON b.outbox_id = o.id
                    LEFT JOIN subscriber s ON s.id = o.subscriber_id
                WHERE o.state = ? AND o.next_attempt_at <= ? ORDER BY o.next_attempt_at, o.id LIMIT ?
                """)
            rows += try SQLRow.fetchAll(statement, arguments: [state, due, limit - rows.count])
        }
        let claim = try db.cachedStatement(sql: "UPDATE outbox SET state = 'sending', updated_at = ? WHERE id = ?")
        let cancel = try db.cachedStatement(
            sql: "UPDATE outbox SET state = 'cancelled', last_code = NULL, last_text = ?, updated_at = ? WHERE id = ?")
        var claimed: [OutboxMessage] = []
        claimed.reserveCapacity(rows.count)
        var cancelled = 0
        for row in rows {
            var message = Self.outboxMessage(from: row)
            if let reason = try reasonNotToSend(message, subscriberStatus: row[17]) {
                try cancel.execute(arguments: [reason, time, message.id])
                cancelled += 1
                continue
            }
            try claim.execute(arguments: [time, message.id])
            message.state = .sending
            claimed.append(message)
        }
        return ClaimedMessages(messages: claimed, cancelled: cancelled)
    }

    private func reasonNotToSend(_ message: OutboxMessage, subscriberStatus: String?) throws -> String? {
        if message.subscriberID != nil {
            switch subscriberStatus.flatMap(SubscriberStatus.init(rawValue:)) {
            case .unsubscribed?: return "not sent: the subscriber unsubscribed"
            case .bounced?: return "not sent: the subscriber's address bounced"
            default: return nil
            }
        }
        // A message to someone not on the list (a confirmation to a stranger, say) still
        // honours the suppression list; a staff test message does not.
        guard message.kind != .test else { return nil }
        let key = EmailAddress.key(message.envelopeTo)
        if let suppression = try suppression(hash: EmailAddress.hash(key: key)) {
            return "not sent: the address is suppressed (\(suppression.reason.rawValue))"
        }
        return nil
    }

    /// Records what happened to claimed messages; returns each message's new state. A
    /// temporary failure of a message queued before `expireBefore` becomes `failed`. Rows
    /// no longer `sending` (cancelled or erased meanwhile) are left as they are.
    @discardableResult
    public func recordDeliveries(_ records: [DeliveryRecord], expireBefore: Date, at now: Date) throws -> [Int64: DeliveryState] {
        let time = StoredDate.text(now)
        let expiry = StoredDate.text(expireBefore)
        let sent = try db.cachedStatement(sql: """
            UPDATE outbox SET state = 'sent', attempts = attempts + 1, last_code = ?, last_text = ?, sent_at = ?, updated_at = ?
            WHERE id = ? AND state = 'sending'
            """)
        let retry = try db.cachedStatement(sql: """
            UPDATE outbox SET state = CASE WHEN COALESCE(queued_at, created_at) <= ? THEN 'failed' ELSE 'deferred' END,
                attempts = attempts + 1, next_attempt_at = ?, last_code = ?, last_text = ?, updated_at = ?
            WHERE id = ? AND state = 'sending'
            RETURNING state
            """)
        let failed = try db.cachedStatement(sql: """
            UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_code = ?, last_text = ?, updated_at = ?
            WHERE id = ? AND state = 'sending'
            """)
        var states: [Int64: DeliveryState] = [:]
        for record in records {
            switch record.result {
            case .sent:
                try sent.execute(arguments: [record.code, record.text, time, time, record.messageID])
                if db.changesCount == 1 { states[record.messageID] = .sent }
            case .retry(let at):
                if let state = try String.fetchOne(
                    retry, arguments: [expiry, StoredDate.text(at), record.code, record.text, time, record.messageID])
                {
                    states[record.messageID] = DeliveryState(rawValue: state)
                }
            case .failed:
                try failed.execute(arguments: [record.code, record.text, time, record.messageID])
                if db.changesCount == 1 { states[record.messageID] = .failed }
            }
        }
        return states
    }

    /// How many of the subscriber's most recent finished messages, up to `limit`, are
    /// permanent failures (failed with a 5xx reply) in an unbroken run.
    public func permanentFailureStreak(subscriberID: Int64, limit: Int) throws -> Int {
        let statement = try db.cachedStatement(sql: """
            SELECT state, last_code FROM outbox WHERE subscriber_id = ? AND state IN ('sent', 'failed')
            ORDER BY updated_at DESC, id DESC LIMIT ?
            """)
        var streak = 0
        for row in try SQLRow.fetchAll(statement, arguments: [subscriberID, limit]) {
            let state: String = row[0]
            let code: Int? = row[1]
            guard state == "failed", let code, (500...599).contains(code) else { break }
            streak += 1
        }
        return streak
    }

    /// When the next queued or deferred message falls due; nil when there is none.
    public func nextDueTime() throws -> Date? {
        try Date.fetchOne(db, sql: """
            SELECT MIN(t) FROM (
                SELECT MIN(next_attempt_at) AS t FROM outbox WHERE state = 'queued'
                UNION ALL SELECT MIN(next_attempt_at) FROM outbox WHERE state = 'deferred') AS due
            """)
    }

    /// Whether a sender has anything to do by `dueBy`: due messages, or ones a stopped sender left `sending`.
    public func hasDeliveryWork(dueBy: Date) throws -> Bool {
        try Bool.fetchOne(
            db,
            sql: """
                SELECT EXISTS (SELECT 1 FROM outbox WHERE state = 'sending')
                    OR EXISTS (SELECT 1 FROM outbox WHERE state = 'queued' AND next_attempt_at <= ?)
                    OR EXISTS (SELECT 1 FROM outbox WHERE state = 'deferred' AND next_attempt_at <= ?)
                """,
            arguments: [StoredDate.text(dueBy), StoredDate.text(dueBy)]) ?? false
    }

    /// When messages were sent since `date`, oldest first: what an hourly limit counts.
    public func sendTimes(since date: Date) throws -> [Date] {
        try Date.fetchAll(
            db, sql: "SELECT sent_at FROM outbox WHERE state = 'sent' AND sent_at >= ? ORDER BY sent_at", arguments: [StoredDate.text(date)])
    }

    /// Drops the bodies and merge fields of messages sent before `before`, and the editions
    /// created before then that no message uses any more. Returns the messages pruned.
    @discardableResult
    public func pruneSentMessages(before: Date) throws -> (messages: Int, editions: Int) {
        let cutoff = StoredDate.text(before)
        try db.execute(
            sql: """
                DELETE FROM outbox_body WHERE outbox_id IN (SELECT id FROM outbox WHERE state = 'sent' AND sent_at < ?)
                """,
            arguments: [cutoff])
        var messages = db.changesCount
        try db.execute(
            sql: """
                UPDATE outbox SET merge = NULL, edition_id = NULL
                WHERE state = 'sent' AND sent_at < ? AND (edition_id IS NOT NULL OR merge IS NOT NULL)
                """,
            arguments: [cutoff])
        messages += db.changesCount
        try db.execute(
            sql: "DELETE FROM edition WHERE created_at < ? AND NOT EXISTS (SELECT 1 FROM outbox WHERE outbox.edition_id = edition.id)",
            arguments: [cutoff])
        return (messages, db.changesCount)
    }

    // MARK: Looking and changing by hand

    public func outboxSummary(id: Int64) throws -> OutboxSummary? {
        try SQLRow.fetchOne(db, sql: "SELECT \(Self.summaryColumns) FROM outbox WHERE id = ?", arguments: [id]).map(Self.outboxSummary(from:))
    }

    /// Calls `body` with each message in the given states (all when empty), oldest first,
    /// without loading them all into memory.
    public func forEachOutboxSummary(states: [DeliveryState], _ body: (OutboxSummary) throws -> Void) throws {
        let filter = states.isEmpty ? "" : "WHERE state IN (\(states.map { "'\($0.rawValue)'" }.joined(separator: ", ")))"
        let rows = try SQLRow.fetchCursor(db, sql: "SELECT \(Self.summaryColumns) FROM outbox \(filter) ORDER BY id")
        while let row = try rows.next() {
            try body(Self.outboxSummary(from: row))
        }
    }

    public func outboxCounts() throws -> [DeliveryState: Int] {
        var counts: [DeliveryState: Int] = [:]
        for row in try SQLRow.fetchAll(db, sql: "SELECT state, COUNT(*) FROM outbox GROUP BY state") {
            if let state = DeliveryState(rawValue: row[0]) { counts[state] = row[1] }
        }
        return counts
    }

    /// Puts a failed, deferred or cancelled message back in the queue, due now, with its
    /// attempts and age counted afresh. Returns false when it is in none of those states.
    public func requeueMessage(id: Int64, at now: Date) throws -> Bool {
        let time = StoredDate.text(now)
        try db.execute(
            sql: """
                UPDATE outbox SET state = 'queued', attempts = 0, next_attempt_at = ?, queued_at = ?, updated_at = ?
                WHERE id = ? AND state IN ('failed', 'deferred', 'cancelled') AND (edition_id IS NOT NULL OR \(Self.hasBody))
                """,
            arguments: [time, time, time, id])
        return db.changesCount == 1
    }

    /// The ids of every failed message that can still be sent, oldest first.
    public func failedMessageIDs() throws -> [Int64] {
        try Int64.fetchAll(
            db, sql: "SELECT id FROM outbox WHERE state = 'failed' AND (edition_id IS NOT NULL OR \(Self.hasBody)) ORDER BY id")
    }

    /// Cancels a queued, deferred or failed message. Returns false when it is in none of those states.
    public func cancelMessage(id: Int64, reason: String, at now: Date) throws -> Bool {
        try db.execute(
            sql: """
                UPDATE outbox SET state = 'cancelled', last_text = ?, updated_at = ?
                WHERE id = ? AND state IN ('queued', 'deferred', 'failed')
                """,
            arguments: [reason, StoredDate.text(now), id])
        return db.changesCount == 1
    }

    // MARK: Rows

    /// The outbox columns (as `outboxColumns`, prefixed) and the subscriber's status.
    private static let claimColumns = """
        o.id, o.kind, o.subscriber_id, o.edition_id, o.envelope_from, o.envelope_to, o.message_id, o.merge, b.body, o.state, \
        o.attempts, o.next_attempt_at, o.last_code, o.last_text, o.created_at, o.updated_at, o.sent_at, s.status
        """

    static let summaryColumns = """
        id, kind, subscriber_id, edition_id, envelope_from, envelope_to, message_id, state, attempts, next_attempt_at, \
        last_code, last_text, created_at, updated_at, sent_at, \
        (SELECT length(body) FROM outbox_body WHERE outbox_id = outbox.id), edition_id IS NOT NULL OR \(hasBody)
        """

    static let hasBody = "EXISTS (SELECT 1 FROM outbox_body WHERE outbox_body.outbox_id = outbox.id)"

    static func outboxSummary(from row: SQLRow) -> OutboxSummary {
        OutboxSummary(
            id: row[0], kind: MessageKind(rawValue: row[1]) ?? .test, subscriberID: row[2], editionID: row[3], envelopeFrom: row[4],
            envelopeTo: row[5], messageID: row[6], state: DeliveryState(rawValue: row[7]) ?? .queued, attempts: row[8],
            nextAttemptAt: row[9], lastCode: row[10], lastText: row[11], createdAt: row[12], updatedAt: row[13], sentAt: row[14],
            bodyBytes: row[15], hasContent: row[16])
    }
}
