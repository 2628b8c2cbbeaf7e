import ArgumentParser
import CommandSupport
import NewsletterCore

struct ListSubscribers: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List subscribers: a table for people, or JSON and CSV for scripts.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "Only this status (pending, active, unsubscribed, bounced); repeat for several.")
    var status: [SubscriberStatus] = []

    @Option(help: "Only those who get this topic (including those who take every topic).")
    var topic: String?

    @Option(help: "table, json or csv.")
    var format: ListFormat = .table

    func run() throws {
        var filter = SubscriberFilter(statuses: status)
        if let topic { filter.topic = try Topic.slugs([topic]).first }
        let (_, store) = try global.open()
        try SubscriberListing.write(store: store, filter: filter, format: format)
    }
}

struct ExportSubscribers: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write every subscriber as CSV (which 'import' reads back) or JSON, to standard output.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "csv or json.")
    var format: ExportFormat = .csv

    @Option(help: "Only this status; repeat for several. Default: everyone.")
    var status: [SubscriberStatus] = []

    func run() throws {
        let (_, store) = try global.open()
        try SubscriberListing.write(
            store: store, filter: SubscriberFilter(statuses: status), format: format == .csv ? .csv : .json)
    }
}

/// Streams subscribers in one of the list formats.
enum SubscriberListing {
    static func write(store: Store, filter: SubscriberFilter, format: ListFormat) throws {
        let out = StandardOutput.shared
        switch format {
        case .csv:
            out.write(CSVWriter.line(SubscriberFormats.csvHeader))
            try store.read { tx in
                try tx.forEachSubscriber(filter) { out.write(CSVWriter.line(SubscriberFormats.csvFields($0))) }
            }
        case .json:
            let encoder = SubscriberFormats.encoder()
            var first = true
            out.write("[")
            try store.read { tx in
                try tx.forEachSubscriber(filter) { subscriber in
                    out.write(first ? "\n" : ",\n")
                    first = false
                    out.write(String(decoding: try encoder.encode(SubscriberFormats.JSON(subscriber)), as: UTF8.self))
                }
            }
            out.line(first ? "]" : "\n]")
        case .table:
            var table = TextTable(
                headers: ["EMAIL", "NAME", "STATUS", "DIGEST", "BLOG", "TOPICS", "ADDED"],
                maxWidths: [48, 28, 12, 7, 9, 32, 10])
            var count = 0
            try store.read { tx in
                try tx.forEachSubscriber(filter) { s in
                    count += 1
                    table.append([
                        s.email, s.name ?? "", s.status.rawValue, s.digest.rawValue, s.blog.rawValue,
                        s.topics.isEmpty ? "(all)" : s.topics.joined(separator: ","), DisplayDate.day(s.createdAt),
                    ])
                }
            }
            if count > 0 { out.write(table.render()) }
            out.line("\(count.formatted()) subscriber\(count == 1 ? "" : "s")")
        }
    }
}
