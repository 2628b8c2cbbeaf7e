import Foundation
import NewsletterCore

/// Builds the bytes of outbox messages: whole ones as stored, edition ones from the edition
/// and the message's merge fields. Safe to call from every sending thread at once; each
/// edition is read from the database and prepared once, then kept while it is in use.
public final class EditionRenderer: MessageRenderer, @unchecked Sendable {
    private let store: Store
    private let lock = NSLock()
    private var cache: [Int64: PreparedEdition] = [:]
    private var order: [Int64] = []
    /// A digest run makes a handful of editions (one per distinct content); this many cover it.
    private let capacity = 256

    public init(store: Store) {
        self.store = store
    }

    public func render(_ message: OutboxMessage) throws -> Data {
        switch message.content {
        case .complete(let data):
            return data
        case .pruned:
            throw MessageError.unsendable("message \(message.id) was sent and its body pruned; it cannot be sent again")
        case .edition(let id, let merge):
            let edition = try prepared(id)
            do {
                return try edition.render(messageID: message.messageID, to: message.envelopeTo, merge: merge)
            } catch let error as NewsletterError {
                // A merge field or address the header serializer refuses: this message can never go.
                throw MessageError.unsendable("message \(message.id): \(error.message)")
            }
        }
    }

    private func prepared(_ id: Int64) throws -> PreparedEdition {
        lock.lock()
        if let hit = cache[id] {
            lock.unlock()
            return hit
        }
        lock.unlock()
        guard let edition = try store.read({ tx in try tx.edition(id: id) }) else {
            throw MessageError.unsendable("edition \(id) is missing from the database; the message cannot be built")
        }
        let prepared = PreparedEdition(edition)
        lock.lock()
        defer { lock.unlock() }
        if cache[id] == nil {
            cache[id] = prepared
            order.append(id)
            if order.count > capacity { cache.removeValue(forKey: order.removeFirst()) }
        }
        return prepared
    }
}
