import ArgumentParser
import CommandSupport
import Logging
import NewsletterContent
import NewsletterCore

struct ScanContent: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Scan the site (site.content_dir, or the website's sitemaps, feeds and pages) once now and print the events it produced.",
        discussion: """
            The first scan records a baseline and announces nothing. After that, a page is announced when its \
            "last updated" date moves later, and a blog post when it is published. Files or addresses that cannot be \
            read are named on stderr with the reason; the rest of the scan goes on, and nothing about them changes. \
            --explain URL fetches one page of a website and shows which date it shows, where that date came from, \
            and whether it would count as an update, recording nothing.
            """)

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Work out the events and print them, recording nothing.")
    var dryRun = false

    @Flag(help: "Record an event for every page with a date and every published post, as if all were new.")
    var announceExisting = false

    @Option(help: "text or json.")
    var format: TextFormat = .text

    @Option(name: .customLong("explain"), help: ArgumentHelp("Explain how one page of the website is read, recording nothing.", valueName: "URL"))
    var explainURL: String?

    func run() throws {
        let (settings, store) = try global.open()
        let site = try WatchedSite(settings: settings)
        // Warnings are printed below in the command's own one-line form; the log stays quiet.
        let quiet = Logger(label: "content", factory: { _ in SwiftLogNoOpLogHandler() })
        if let explainURL {
            guard case .website(let website) = site else {
                throw NewsletterError.usage("--explain needs a website (site.sitemap, site.feeds or site.pages); this config watches a folder")
            }
            let explanation = try WebsiteScanner(site: website, store: store, logger: quiet).explain(explainURL)
            StandardOutput.shared.write(explanation.text)
            return
        }
        let report = try site.scan(store: store, logger: quiet, options: ScanOptions(dryRun: dryRun, announceExisting: announceExisting))
        for warning in report.warnings {
            let quoted = warning.path.quotedForDisplay
            let shown = quoted == "\"\(warning.path)\"" && !warning.path.contains(" ") ? warning.path : quoted
            CommandRunner.printError("newsletterctl", "warning: \(shown): \(warning.reason)")
        }
        let out = StandardOutput.shared
        switch format {
        case .json:
            out.line(String(decoding: try ContentFormats.encoder(pretty: true).encode(ContentFormats.ScanJSON(report)), as: UTF8.self))
        case .text:
            out.write(Self.describe(report))
        }
    }

    static func describe(_ report: ScanReport) -> String {
        var text = ""
        let prefix = report.dryRun ? "Dry run, nothing recorded. " : ""
        let tracked = "\(count(report.pages, "page")) and \(count(report.posts, "blog post"))"
        if report.baseline && report.events.isEmpty {
            text += "\(prefix)Baseline recorded: \(tracked) tracked. A first scan announces nothing "
                + "(add --announce-existing to announce them all).\n"
        } else if report.events.isEmpty {
            text += "\(prefix)No events.\n"
        } else {
            var table = TextTable(headers: ["EVENT", "DATE", "PATH", "TITLE", "URL"], maxWidths: [14, 20, 40, 40, 70])
            for event in report.events {
                table.append([event.kind.rawValue, event.marker, event.path, event.title, event.url])
            }
            text += table.render()
            text += "\(prefix)\(report.dryRun ? "Would record" : "Recorded") \(count(report.events.count, "event")).\n"
        }
        for note in report.notes {
            // A file's name can hold a line break or an escape sequence.
            text += "note: \(note.path.escapingControlCharacters): \(note.reason.escapingControlCharacters)\n"
        }
        var parts = ["\(report.filesRead.formatted()) read", "\(report.unchanged.formatted()) unchanged"]
        if !report.removed.isEmpty { parts.append("\(report.removed.count.formatted()) removed") }
        if !report.warnings.isEmpty { parts.append(count(report.warnings.count, "warning") + " (on stderr)") }
        let seen = report.website ? count(report.filesSeen, "address", plural: "addresses") : count(report.filesSeen, "file")
        text += "Scanned \(seen): " + parts.joined(separator: ", ") + "; \(tracked) tracked.\n"
        return text
    }

    static func count(_ value: Int, _ noun: String, plural: String? = nil) -> String {
        "\(value.formatted()) \(value == 1 ? noun : plural ?? noun + "s")"
    }
}
