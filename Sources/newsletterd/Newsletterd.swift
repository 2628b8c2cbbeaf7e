import ArgumentParser
import CommandSupport
import Dispatch
import Foundation
import Logging
import NewsletterCore
import NewsletterDelivery

@main
struct Newsletterd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "newsletterd",
        abstract: "The carers newsletter daemon: watches the site, composes digests and sends them.",
        discussion: "With --once it sends the messages due now and exits: 0 when none failed for good, 65 when the "
            + "relay refused some permanently, 75 when it could not be reached (they stay queued).",
        version: NewsletterVersion.current)

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Do the work that is due now, then exit.")
    var once = false

    @Option(help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    static func main() {
        CommandRunner.main(self)
    }

    func run() throws {
        let level = logLevel
        LoggingSystem.bootstrap { StandardErrorLogHandler(label: $0, level: level) }
        let logger = Logger(label: "newsletterd")
        let (settings, store) = try global.open()
        logger.info("database ready", metadata: ["config": "\(settings.file)", "database": "\(store.path)"])
        if once {
            // With nothing to send, the transport need not even be configured.
            guard try store.read({ tx in try tx.hasDeliveryWork(dueBy: Date()) }) else {
                logger.info("nothing to send")
                return
            }
            try Self.exitStatus(for: try makeRunner(settings, store).drain(), destination: settings)
            return
        }
        let runner = try makeRunner(settings, store)

        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        let stop = DispatchSemaphore(value: 0)
        let sources = [SIGTERM, SIGINT].map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { stop.signal() }
            source.resume()
            return source
        }
        try runner.start()
        stop.wait()
        sources.forEach { $0.cancel() }
        logger.info("stopping: finishing the messages on the wire")
        if !runner.stop(timeout: 30) {
            logger.warning("a message was still on the wire after 30s; it will be sent again at the next start")
        }
    }

    func makeRunner(_ settings: Settings, _ store: Store) throws -> DeliveryRunner {
        // Edition messages need the composer's renderer, wired in here when composition lands.
        try DeliveryRunner(settings: settings, store: store, renderer: CompleteMessageRenderer(), logger: Logger(label: "delivery"))
    }

    /// `--once`: 65 when anything failed permanently, 75 when the relay could not be reached.
    static func exitStatus(for report: DrainReport, destination settings: Settings) throws {
        if report.failed > 0 {
            throw NewsletterError.badData(
                "\(report.failed) message\(report.failed == 1 ? "" : "s") failed permanently (\(report.sent) sent); "
                    + "'newsletterctl queue list --state failed' shows the replies")
        }
        if report.relayUnavailable {
            throw NewsletterError.tempFailure(
                "could not deliver through \(settings.mail.transport == .smtp ? settings.smtp.url?.description ?? "smtp" : "the maildir"); "
                    + "\(report.sent) sent, the rest stay queued; the log says why")
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
