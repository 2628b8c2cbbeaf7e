import Foundation
import NewsletterCore

/// The last look before the wire, shared by the sender threads: a message is sent only if,
/// after it was handed to a sender, its subscriber was still subscribed, its address not
/// suppressed, and its row still claimed. Looks are grouped: senders that ask while a look
/// is running share the next one, so the store answers one query for a few messages
/// instead of one each. On PostgreSQL that query was most of the server's work per message.
/// Every message is still looked at after it was asked about, so an unsubscribe committed
/// before then wins.
final class LastLook: @unchecked Sendable {
    private let look: ([OutboxMessage]) throws -> [Int64: SendRefusal]
    private let condition = NSCondition()
    private var asked: [(ticket: Int, messages: [OutboxMessage])] = []
    private var answers: [Int: Result<[Int64: SendRefusal], any Error>] = [:]
    private var looking = false
    private var nextTicket = 0

    init(look: @escaping ([OutboxMessage]) throws -> [Int64: SendRefusal]) {
        self.look = look
    }

    /// Why any of `messages` must not be sent, by id.
    func check(_ messages: [OutboxMessage]) throws -> [Int64: SendRefusal] {
        condition.lock()
        let ticket = nextTicket
        nextTicket += 1
        asked.append((ticket, messages))
        while answers[ticket] == nil {
            if looking {
                condition.wait()
                continue
            }
            // Nobody is looking: look for everyone who has asked.
            looking = true
            let batch = asked
            asked = []
            condition.unlock()
            let result = Result { try look(batch.flatMap(\.messages)) }
            condition.lock()
            for entry in batch {
                let ids = Set(entry.messages.map(\.id))
                answers[entry.ticket] = result.map { refusals in refusals.filter { ids.contains($0.key) } }
            }
            looking = false
            condition.broadcast()
        }
        let answer = answers.removeValue(forKey: ticket)
        condition.unlock()
        return try answer?.get() ?? [:]
    }

    /// Senders waiting for the next look (for tests).
    var waiting: Int {
        condition.lock()
        defer { condition.unlock() }
        return asked.count
    }
}
