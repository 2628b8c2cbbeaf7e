import Foundation
import Logging
import NewsletterCore

/// Drops the bodies of messages sent more than `delivery.keep_sent_days` ago (the row, its
/// state and its consent-relevant facts stay). Housekeeping's work, not the sender's: on a
/// shared database one leader prunes, instead of every daemon at every start.
public struct SentMessagePruner: Sendable {
    let store: Store
    let keepSentDays: Int
    let logger: Logger
    let now: @Sendable () -> Date

    public init(store: Store, keepSentDays: Int, logger: Logger, now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.keepSentDays = keepSentDays
        self.logger = logger
        self.now = now
    }

    /// Prunes now; a failure is logged and left for the next time (the bodies only take room).
    @discardableResult
    public func prune() -> (messages: Int, editions: Int) {
        let cutoff = now() - TimeInterval(keepSentDays) * 86400
        do {
            let pruned = try store.write { tx in try tx.pruneSentMessages(before: cutoff) }
            if pruned.messages > 0 || pruned.editions > 0 {
                logger.info(
                    "pruned the bodies of old sent messages",
                    metadata: ["messages": "\(pruned.messages)", "editions": "\(pruned.editions)", "keep_sent_days": "\(keepSentDays)"])
            }
            return pruned
        } catch {
            logger.error("could not prune old sent messages", metadata: ["error": "\(error)"])
            return (0, 0)
        }
    }
}
