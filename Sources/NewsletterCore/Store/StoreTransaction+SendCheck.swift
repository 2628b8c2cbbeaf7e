import Foundation

/// The last look before a claimed message goes on the wire: an unsubscribe or an erase
/// after the claim must still stop it.
extension StoreTransaction {
    /// Why each of these claimed messages must not be sent now, by id; messages absent from
    /// the answer may go. One indexed query (by primary key) for the lot, plus a suppression
    /// lookup only for messages to people not on the list.
    ///
    /// Not sent: a message whose row is gone (its subscriber was erased) or no longer
    /// `sending` (cancelled meanwhile); a subscriber who unsubscribed or bounced; a pending
    /// subscriber, except for their own confirmation (and staff test messages); an address
    /// suppressed since, for a message to someone not on the list.
    public func reasonsNotToSend(_ messages: [OutboxMessage]) throws -> [Int64: SendRefusal] {
        guard !messages.isEmpty else { return [:] }
        let marks = Array(repeating: "?", count: messages.count).joined(separator: ",")
        let statement = try db.cachedStatement(sql: """
            SELECT o.id, o.state, o.subscriber_id, s.status FROM outbox o LEFT JOIN subscriber s ON s.id = o.subscriber_id
            WHERE o.id IN (\(marks))
            """)
        var rows: [Int64: (state: String, subscriberID: Int64?, status: String?)] = [:]
        for row in try SQLRow.fetchAll(statement, arguments: SQLArguments(messages.map(\.id))) {
            rows[row[0]] = (row[1], row[2], row[3])
        }
        var refusals: [Int64: SendRefusal] = [:]
        for message in messages {
            guard let row = rows[message.id] else {
                refusals[message.id] = SendRefusal(reason: "not sent: the message was deleted (its subscriber was erased)", rowRemains: false)
                continue
            }
            guard row.state == DeliveryState.sending.rawValue else {
                refusals[message.id] = SendRefusal(reason: "not sent: the message was \(row.state) while waiting to be sent", rowRemains: false)
                continue
            }
            if row.subscriberID != nil {
                switch row.status.flatMap(SubscriberStatus.init(rawValue:)) {
                case .active?: continue
                case .pending? where message.kind == .confirm || message.kind == .test: continue
                case .pending?: refusals[message.id] = SendRefusal(reason: "not sent: the subscriber has not confirmed", rowRemains: true)
                case .unsubscribed?: refusals[message.id] = SendRefusal(reason: "not sent: the subscriber unsubscribed", rowRemains: true)
                case .bounced?: refusals[message.id] = SendRefusal(reason: "not sent: the subscriber's address bounced", rowRemains: true)
                case nil: refusals[message.id] = SendRefusal(reason: "not sent: the subscriber was erased", rowRemains: true)
                }
                continue
            }
            guard message.kind != .test else { continue }
            if let suppression = try suppression(hash: EmailAddress.hash(key: EmailAddress.key(message.envelopeTo))) {
                refusals[message.id] = SendRefusal(reason: "not sent: the address is suppressed (\(suppression.reason.rawValue))", rowRemains: true)
            }
        }
        return refusals
    }

    /// Cancels claimed (`sending`) messages that must not be sent, with the reason; returns how many.
    @discardableResult
    public func cancelClaimedMessages(_ reasons: [Int64: String], at now: Date) throws -> Int {
        let statement = try db.cachedStatement(sql: """
            UPDATE outbox SET state = 'cancelled', last_code = NULL, last_text = ?, updated_at = ? WHERE id = ? AND state = 'sending'
            """)
        let time = StoredDate.text(now)
        var count = 0
        for (id, reason) in reasons {
            try statement.execute(arguments: [reason, time, id])
            count += db.changesCount
        }
        return count
    }
}

/// Why a claimed message is not sent after all.
public struct SendRefusal: Sendable, Equatable {
    public var reason: String
    /// The row is still `sending` and should be marked `cancelled`; false when it is gone or
    /// another process already changed it.
    public var rowRemains: Bool
}
