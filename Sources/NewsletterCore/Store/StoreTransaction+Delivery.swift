import Foundation

/// SQL for sending: claiming due messages, recording what happened, recovering after a
/// crash, pruning, and what `newsletterctl queue` reads and changes.
extension StoreTransaction {
    // MARK: Sending

    /// Moves rows a dead sender left `sending` back to the queue (`deferred` when they had
    /// been tried before, else `queued`), due at once; returns how many. Only for a sender
    /// that holds the database alone (SQLite's file lock), so no live sender's rows are touched.
    @discardableResult
    public func requeueInterruptedMessages(at now: Date) throws -> Int {
        try requeueClaims(where: "state = 'sending'", arguments: [], at: now)
    }

    /// Puts back in the queue the `sending` rows whose claim has expired (their sender died
    /// or lost the database and stopped renewing) or that have no claim recorded (left by a
    /// sender from before claims); returns how many. Safe beside live senders.
    /// `exceptOwner`: a live sender's own claims stay its own.
    @discardableResult
    public func requeueExpiredClaims(at now: Date, exceptOwner owner: String? = nil) throws -> Int {
        let expired = "state = 'sending' AND (claim_expires_at IS NULL OR claim_expires_at < ?)"
        guard let owner else { return try requeueClaims(where: expired, arguments: [StoredDate.text(now)], at: now) }
        return try requeueClaims(
            where: expired + " AND (claim_owner IS NULL OR claim_owner <> ?)", arguments: [StoredDate.text(now), owner], at: now)
    }

    private func requeueClaims(where condition: String, arguments: SQLArguments, at now: Date) throws -> Int {
        try db.execute(
            sql: """
                UPDATE outbox SET state = CASE WHEN attempts > 0 THEN 'deferred' ELSE 'queued' END, updated_at = ?,
                    claim_owner = NULL, claim_expires_at = NULL
                WHERE \(condition)
                """,
            arguments: SQLArguments(values: [.text(StoredDate.text(now))] + arguments.values))
        return db.changesCount
    }

    /// Returns `owner`'s claimed messages that were not sent to the queue, as they were
    /// before the claim. Rows another sender has claimed since are not touched.
    public func releaseClaimedMessages(ids: [Int64], owner: String, at now: Date) throws {
        for chunk in Self.chunks(ids) {
            try db.execute(
                sql: """
                    UPDATE outbox SET state = CASE WHEN attempts > 0 THEN 'deferred' ELSE 'queued' END, updated_at = ?,
                        claim_owner = NULL, claim_expires_at = NULL
                    WHERE id IN (\(Self.idList(chunk))) AND state = 'sending' AND claim_owner = ?
                    """,
                arguments: [StoredDate.text(now), owner])
        }
    }

    /// Extends `lease.owner`'s claim on every message it is sending to `lease.expiresAt`;
    /// returns how many it still holds.
    @discardableResult
    public func renewClaims(_ lease: ClaimLease) throws -> Int {
        try db.execute(
            sql: "UPDATE outbox SET claim_expires_at = ? WHERE state = 'sending' AND claim_owner = ?",
            arguments: [StoredDate.text(lease.expiresAt), lease.owner])
        return db.changesCount
    }

    /// Claims up to `limit` messages due by `dueBy` (deferred ones first, then queued, each
    /// oldest due first) and marks them `sending` under `lease`. Messages whose subscriber has
    /// unsubscribed or bounced since they were queued, or whose address is now suppressed, are
    /// cancelled instead. Erased subscribers' messages are gone already (deleted with them).
    ///
    /// On PostgreSQL the rows are locked as they are read, skipping rows another daemon's
    /// claim has locked: daemons claiming at once each take different messages, and none waits
    /// for another.
    public func claimDueMessages(limit: Int, dueBy: Date, lease: ClaimLease, at now: Date) throws -> ClaimedMessages {
        let due = StoredDate.text(dueBy)
        let time = StoredDate.text(now)
        let locking = db.dialect == .postgresql ? " FOR UPDATE SKIP LOCKED" : ""
        var rows: [SQLRow] = []
        for state in ["deferred", "queued"] where rows.count < limit {
            // The rows are chosen (and on PostgreSQL locked) first, then joined: joining every
            // due row before the LIMIT made each claim cost as much as the whole queue.
            let statement = try db.cachedStatement(sql: """
                SELECT \(Self.claimColumns) FROM (
                    SELECT * FROM outbox o WHERE o.state = ? AND o.next_attempt_at <= ?
                    ORDER BY o.next_attempt_at, o.id LIMIT ?\(locking)
                ) o LEFT JOIN outbox_body b ON b.outbox_id = o.id LEFT JOIN subscriber s ON s.id = o.subscriber_id
                ORDER BY o.next_attempt_at, o.id
                """)
            rows += try SQLRow.fetchAll(statement, arguments: [state, due, limit - rows.count])
        }
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
            message.state = .sending
            claimed.append(message)
        }
        for chunk in Self.chunks(claimed.map(\.id)) {
            try db.execute(
                sql: """
                    UPDATE outbox SET state = 'sending', claim_owner = ?, claim_expires_at = ?, updated_at = ?
                    WHERE id IN (\(Self.idList(chunk)))
                    """,
                arguments: [lease.owner, StoredDate.text(lease.expiresAt), time])
        }
        return ClaimedMessages(messages: claimed, cancelled: cancelled)
    }

    /// Ids written into the SQL itself: one statement for a batch instead of one per row. They
    /// are integers, so nothing in them can change the statement's meaning.
    static func idList(_ ids: some Collection<Int64>) -> String {
        ids.map(String.init).joined(separator: ",")
    }

    static func chunks<Element>(_ items: [Element], size: Int = 500) -> [ArraySlice<Element>] {
        stride(from: 0, to: items.count, by: size).map { items[$0..<min($0 + size, items.count)] }
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
        let sentRecords = records.filter { $0.result == .sent }
        if sentRecords.count > 1 {
            // Most results are sends: one statement for the lot, not a round trip each.
            for chunk in Self.chunks(sentRecords, size: 300) {
                let rows = Array(repeating: "(CAST(? AS BIGINT), CAST(? AS BIGINT), ?)", count: chunk.count).joined(separator: ", ")
                var arguments: SQLArguments = [time, time]
                for record in chunk { arguments += [record.messageID, record.code, record.text] }
                let ids = try Int64.fetchAll(
                    db,
                    sql: """
                        UPDATE outbox SET state = 'sent', attempts = attempts + 1, last_code = v.column2, last_text = v.column3,
                            sent_at = ?, updated_at = ?
                        FROM (VALUES \(rows)) AS v WHERE outbox.id = v.column1 AND outbox.state = 'sending'
                        RETURNING outbox.id
                        """,
                    arguments: arguments)
                for id in ids { states[id] = .sent }
            }
        }
        for record in records {
            switch record.result {
            case .sent:
                guard sentRecords.count == 1 else { continue }
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

    /// When the next queued or deferred message falls due; nil when there is none. With
    /// `claimsNotOf`, also when the first claim of another sender expires: its messages are
    /// then to be put back and sent.
    public func nextDueTime(claimsNotOf owner: String? = nil) throws -> Date? {
        let claims = owner == nil ? "" : """
             UNION ALL SELECT MIN(claim_expires_at) FROM outbox WHERE state = 'sending' AND (claim_owner IS NULL OR claim_owner <> ?)
            """
        return try Date.fetchOne(
            db,
            sql: """
                SELECT MIN(t) FROM (
                    SELECT MIN(next_attempt_at) AS t FROM outbox WHERE state = 'queued'
                    UNION ALL SELECT MIN(next_attempt_at) FROM outbox WHERE state = 'deferred'\(claims)) AS due
                """,
            arguments: owner.map { SQLArguments([$0]) } ?? [])
    }

    /// What hourly and daily limits (0: none) leave to claim now, counting every sender's
    /// sends and claims: the messages sent within each window, and those `sending`, which
    /// will be. When nothing is left, `freesAt` says when the window's oldest send leaves it.
    public func sendingBudget(perHour: Int, perDay: Int, at now: Date) throws -> (remaining: Int, freesAt: Date?) {
        let sending = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE state = 'sending'") ?? 0
        var remaining = Int.max
        var freesAt: Date?
        for (limit, span) in [(perHour, 3600.0), (perDay, 86400.0)] where limit > 0 {
            let since = StoredDate.text(now - span)
            let row = try SQLRow.fetchOne(
                db, sql: "SELECT COUNT(*), MIN(sent_at) FROM outbox WHERE state = 'sent' AND sent_at >= ?", arguments: [since])
            let sent: Int = row?[0] ?? 0
            let left = limit - sent - sending
            remaining = min(remaining, max(0, left))
            if left <= 0 {
                let oldest: Date? = row?[1]
                // With the window full of claims rather than sends, look again soon.
                let frees = oldest.map { $0 + span } ?? now + 10
                freesAt = max(freesAt ?? frees, frees)
            }
        }
        return (remaining, remaining == 0 ? freesAt : nil)
    }

    /// Whether a sender has anything to do by `dueBy`: due messages, or ones a stopped sender
    /// left `sending` (with `claimsExpiredBy`, only those whose claim expired by then: the
    /// others are live senders' work).
    public func hasDeliveryWork(dueBy: Date, claimsExpiredBy: Date? = nil) throws -> Bool {
        let due = SQLValue.text(StoredDate.text(dueBy))
        let expired = SQLValue.text(StoredDate.text(claimsExpiredBy ?? .distantFuture))
        return try Bool.fetchOne(
            db,
            sql: """
                SELECT EXISTS (SELECT 1 FROM outbox WHERE state = 'sending' AND (claim_expires_at IS NULL OR claim_expires_at < ?))
                    OR EXISTS (SELECT 1 FROM outbox WHERE state = 'queued' AND next_attempt_at <= ?)
                    OR EXISTS (SELECT 1 FROM outbox WHERE state = 'deferred' AND next_attempt_at <= ?)
                """,
            arguments: SQLArguments(values: [expired, due, due])) ?? false
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
        (SELECT length(body) FROM outbox_body WHERE outbox_id = outbox.id), edition_id IS NOT NULL OR \(hasBody), \
        claim_owner, claim_expires_at
        """

    static let hasBody = "EXISTS (SELECT 1 FROM outbox_body WHERE outbox_body.outbox_id = outbox.id)"

    static func outboxSummary(from row: SQLRow) -> OutboxSummary {
        OutboxSummary(
            id: row[0], kind: MessageKind(rawValue: row[1]) ?? .test, subscriberID: row[2], editionID: row[3], envelopeFrom: row[4],
            envelopeTo: row[5], messageID: row[6], state: DeliveryState(rawValue: row[7]) ?? .queued, attempts: row[8],
            nextAttemptAt: row[9], lastCode: row[10], lastText: row[11], createdAt: row[12], updatedAt: row[13], sentAt: row[14],
            bodyBytes: row[15], hasContent: row[16], claimOwner: row[17], claimExpiresAt: row[18])
    }
}
