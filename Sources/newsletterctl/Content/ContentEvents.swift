import ArgumentParser
import CommandSupport
import NewsletterContent
import NewsletterCore

struct ContentEvents: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "List the change events recorded, oldest first.")

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Only events detected on or after this date (2024-03-12, or 2024-03-12T09:30:00Z).", valueName: "date"))
    var since: String?

    @Option(help: "table or json.")
    var format: PageListFormat = .table

    func run() throws {
        let (settings, store) = try global.open()
        var start: MarkerDate?
        if let since {
            guard case .date(let date, _)? = DateReader(order: settings.site.dateOrder).read(since) else {
                throw NewsletterError.usage("--since \(since.quotedForDisplay) is not a date; give one such as 2024-03-12 or 2024-03-12T09:30:00Z")
            }
            start = date
        }
        let events = try store.read { tx in try tx.recentEvents(limit: Int.max, since: start?.instant) }.reversed()
        let out = StandardOutput.shared
        switch format {
        case .json:
            out.line(try ContentFormats.array(events.map(ContentFormats.EventJSON.init)))
        case .table:
            var table = TextTable(headers: ["DETECTED", "EVENT", "DATE", "PATH", "TITLE"], maxWidths: [20, 14, 20, 40, 50])
            for event in events {
                table.append([DisplayDate.iso(event.detectedAt), event.kind.rawValue, event.marker, event.path, event.title])
            }
            if !events.isEmpty { out.write(table.render()) }
            out.line(ScanContent.count(events.count, "event"))
        }
    }
}
