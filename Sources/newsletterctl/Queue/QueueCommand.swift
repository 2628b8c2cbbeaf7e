import ArgumentParser
import NewsletterCore

struct QueueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue",
        abstract: "Look at the delivery queue (the outbox); retry or cancel messages.",
        subcommands: [ListQueue.self, ShowQueued.self, RetryQueued.self, CancelQueued.self])
}

extension DeliveryState: ExpressibleByArgument {}

/// `queue list --format`: a table for people, JSON for scripts.
enum QueueListFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case table, json
}

/// Message ids as people type them.
struct MessageIDs {
    static func parse(_ texts: [String]) throws -> [Int64] {
        try texts.map { text in
            guard let id = Int64(text.trimmingSpaces), id > 0 else {
                throw NewsletterError.usage("\(text.quotedForDisplay) is not a message id; 'newsletterctl queue list' shows them")
            }
            return id
        }
    }
}
