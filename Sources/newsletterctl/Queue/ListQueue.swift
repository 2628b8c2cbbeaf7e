import ArgumentParser
import CommandSupport
import Foundation
import NewsletterCore
import NewsletterDelivery

struct ListQueue: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the messages in the outbox, oldest first: a table for people, or JSON for scripts.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "Only this state (queued, sending, sent, deferred, failed, cancelled); repeat for several.")
    var state: [DeliveryState] = []

    @Option(help: "table or json.")
    var format: QueueListFormat = .table

    func run() throws {
        let (_, store) = try global.open()
        let queue = OutboxQueue(store: store, actor: Actor.cli)
        let out = StandardOutput.shared
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            var first = true
            out.write("[")
            try queue.forEach(states: state) { message in
                out.write(first ? "\n" : ",\n")
                first = false
                out.write(String(decoding: try encoder.encode(OutboxMessageJSON(message)), as: UTF8.self))
            }
            out.line(first ? "]" : "\n]")
        case .table:
            var table = TextTable(
                headers: ["ID", "STATE", "KIND", "TO", "TRIES", "WHEN", "LAST REPLY"], maxWidths: [10, 9, 7, 40, 5, 20, 60])
            var count = 0
            try queue.forEach(states: state) { m in
                count += 1
                let when: String
                switch m.state {
                case .sent: when = m.sentAt.map(DisplayDate.minute) ?? ""
                case .queued, .deferred: when = DisplayDate.minute(m.nextAttemptAt)
                default: when = DisplayDate.minute(m.updatedAt)
                }
                table.append([String(m.id), m.state.rawValue, m.kind.rawValue, m.envelopeTo, String(m.attempts), when, m.lastReply])
            }
            if count > 0 { out.write(table.render()) }
            out.line("\(count.formatted()) message\(count == 1 ? "" : "s")")
        }
    }
}

struct ShowQueued: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one message in the outbox: where it stands and the last SMTP reply.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The message id (from 'queue list').")
    var id: String

    @Option(help: "text or json.")
    var format: TextFormat = .text

    func run() throws {
        let id = try MessageIDs.parse([id])[0]
        let (_, store) = try global.open()
        let detail = try OutboxQueue(store: store, actor: Actor.cli).show(id)
        let m = detail.message
        let out = StandardOutput.shared
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            let json = OutboxMessageJSON(m, subscriberEmail: detail.subscriberEmail, subscriberStatus: detail.subscriberStatus)
            out.line(String(decoding: try encoder.encode(json), as: UTF8.self))
        case .text:
            out.line("Message:      \(m.id) (\(m.kind.rawValue))")
            out.line("State:        \(m.state.rawValue)")
            out.line("To:           \(m.envelopeTo)")
            out.line("From:         \(m.envelopeFrom)")
            if let email = detail.subscriberEmail, let status = detail.subscriberStatus {
                out.line("Subscriber:   \(email) (\(status.rawValue))")
            } else if m.subscriberID != nil {
                out.line("Subscriber:   (erased)")
            }
            out.line("Message-ID:   <\(m.messageID)>")
            out.line("Attempts:     \(m.attempts)")
            if m.state == .queued || m.state == .deferred { out.line("Next attempt: \(DisplayDate.minute(m.nextAttemptAt))") }
            if m.state == .sending, let owner = m.claimOwner {
                let until = m.claimExpiresAt.map { " until \(DisplayDate.iso($0)) unless renewed" } ?? ""
                out.line("Claimed by:   \(owner)\(until)")
            }
            if let sent = m.sentAt { out.line("Sent:         \(DisplayDate.minute(sent))") }
            if !m.lastReply.isEmpty { out.line("Last reply:   \(m.lastReply)") }
            out.line("Queued:       \(DisplayDate.minute(m.createdAt))")
            out.line("Changed:      \(DisplayDate.minute(m.updatedAt))")
            let content: String
            if let bytes = m.bodyBytes {
                content = "\(bytes.formatted()) bytes, stored whole"
            } else if let edition = m.editionID {
                content = "edition \(edition) with this recipient's fields"
            } else {
                content = "pruned after sending"
            }
            out.line("Content:      \(content)")
        }
    }
}
