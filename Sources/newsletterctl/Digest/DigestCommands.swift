import ArgumentParser
import CommandSupport
import Foundation
import NewsletterCompose
import NewsletterCore

struct DigestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digest",
        abstract: "Preview a subscriber's digest, or compose and queue the digests that are due.",
        subcommands: [PreviewDigest.self, RunDigest.self])
}

enum PreviewFormat: String, ExpressibleByArgument, CaseIterable {
    case text, html, eml
}

struct PreviewDigest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "Show what a subscriber would get if their digest ran now. Writes nothing and moves no watermark.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "The subscriber's email address.")
    var to: String

    @Option(help: "Preview as this cadence (daily, weekly or monthly) instead of the subscriber's own.")
    var cadence: DigestCadence?

    @Option(help: "text (the plain-text part), html (the HTML part) or eml (the whole message).")
    var format: PreviewFormat = .text

    func run() throws {
        let address = try EmailAddress(to)
        let (settings, store) = try global.open()
        let composer = DigestComposer(store: store, environment: try ComposeEnvironment.load(settings, store: store))
        guard let preview = try composer.preview(address, cadence: cadence, at: Date()) else {
            CommandRunner.printError(
                "newsletterctl", "nothing new for \(address) since their last digest; with digest.send_empty: true they would get an empty digest")
            return
        }
        let out = StandardOutput.shared
        switch format {
        case .text:
            out.line("Subject: \(preview.subject)")
            out.line()
            out.write(preview.text.hasSuffix("\n") ? preview.text : preview.text + "\n")
        case .html:
            out.write(preview.html)
        case .eml:
            out.write(String(decoding: preview.message, as: UTF8.self))
        }
    }
}

struct RunDigest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Compose and queue the digests that are due now (the daemon runs the same job on its schedule).",
        discussion: """
            A subscriber gets at most one digest per period (day, ISO week or month, in schedule.timezone): \
            running this twice queues nothing the second time. Without --cadence, every cadence is run.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "daily, weekly or monthly. Default: all three.")
    var cadence: DigestCadence?

    func validate() throws {
        if cadence == .off { throw ValidationError("--cadence off has no digests; give daily, weekly or monthly") }
    }

    func run() throws {
        let (settings, store) = try global.open()
        let composer = DigestComposer(store: store, environment: try ComposeEnvironment.load(settings, store: store))
        let now = Date()
        for cadence in cadence.map({ [$0] }) ?? [.daily, .weekly, .monthly] {
            let report = try composer.run(cadence: cadence, at: now)
            StandardOutput.shared.line(
                "\(cadence.rawValue) \(report.period): \(report.queued.formatted()) digest\(report.queued == 1 ? "" : "s") queued, "
                    + "\(report.empty.formatted()) with nothing new (no email)")
        }
    }
}
