import ArgumentParser
import CommandSupport
import Foundation
import NewsletterCore

struct ImportSubscribers: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import subscribers from a CSV file (header: email,name,digest,blog,topics; topics separated by ;).",
        discussion: """
            Every row is checked first. One bad row stops the whole file (nothing is imported) unless \
            --skip-invalid is given. Addresses already on the list are left as they are, so importing a file \
            twice changes nothing; addresses on the suppression list are skipped.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The CSV file.")
    var file: String

    @Flag(help: "Check the file and report what would happen, changing nothing.")
    var dryRun = false

    @Flag(help: "Import the good rows and report the bad ones, instead of importing nothing.")
    var skipInvalid = false

    @Flag(help: "Import as pending: they get no mail until they confirm.")
    var pending = false

    @Option(help: "What these people agreed to, in the words they were shown (kept in the consent log).")
    var consent: String?

    func run() throws {
        if let consent { _ = try ConsentWording.validated(consent) }
        let (_, store) = try global.open()
        let data = try SubscriberImport.load(path: file)
        let importer = SubscriberImport(defaultStatus: pending ? .pending : .active)
        let path = URL(fileURLWithPath: file).standardizedFileURL.path

        let estimate = data.reduce(into: 0) { count, byte in if byte == 0x0A { count += 1 } }
        let progress = Progress(minimumWork: 20_000, work: estimate)
        let checked = try importer.check(data, source: file) { progress.update("Checking", $0, of: estimate) }
        progress.finish()

        if !checked.problems.isEmpty {
            for problem in checked.problems.prefix(100) { CommandRunner.printError("newsletterctl", "\(file), \(problem)") }
            if checked.problems.count > 100 {
                CommandRunner.printError("newsletterctl", "\(file): \(checked.problems.count - 100) more bad rows not shown")
            }
            if !skipInvalid {
                throw NewsletterError.badData(
                    "\(file): \(checked.problems.count) of \(checked.problems.count + checked.rows.count + checked.duplicates.count) rows "
                        + "are invalid; nothing was imported (fix them, or add --skip-invalid to import the rest)")
            }
        }

        let report = try importer.apply(
            checked, to: store, actor: "import:\(path.escapingControlCharacters) (cli:\(UnixUser.current))",
            wording: consent ?? "Imported from \(URL(fileURLWithPath: path).lastPathComponent.escapingControlCharacters) by staff with newsletterctl",
            dryRun: dryRun
        ) { progress.update("Importing", $0, of: checked.rows.count) }
        progress.finish()
        StandardOutput.shared.line(Self.describe(report, file: file))
    }

    static func describe(_ report: SubscriberImport.Report, file: String) -> String {
        var parts = ["\(report.added.formatted()) new"]
        if report.alreadyOnList > 0 { parts.append("\(report.alreadyOnList.formatted()) already on the list") }
        if report.suppressed > 0 { parts.append("\(report.suppressed.formatted()) on the suppression list, skipped") }
        if !report.duplicates.isEmpty { parts.append("\(report.duplicates.count.formatted()) repeated in the file, skipped") }
        if !report.invalid.isEmpty { parts.append("\(report.invalid.count.formatted()) invalid, skipped") }
        let verb = report.dryRun ? "Dry run, nothing changed: would import" : "Imported"
        return "\(verb) \(file): \(report.rows.formatted()) rows; " + parts.joined(separator: ", ") + "."
    }
}
