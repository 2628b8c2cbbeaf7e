import ArgumentParser
import CommandSupport
import Foundation
import Logging
import NewsletterCore
import NewsletterDaemon
import ServiceLifecycle

@main
struct Newsletterd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "newsletterd",
        abstract: "The carers newsletter daemon: watches the site, composes digests and sends them.",
        discussion: """
            Under systemd it runs as Type=notify: READY once the database, config, templates, watcher and \
            transport are ready; SIGHUP reloads the configuration and templates; SIGTERM lets the SMTP \
            transactions in flight finish, then exits. With --once it exits 0 when all went well, 65 when the \
            relay refused some messages for good, 75 when it could not be reached or a job failed (nothing is \
            lost: run it again).
            """,
        version: NewsletterVersion.current)

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Scan the content, run the digest and blog jobs that are due, send what is queued, then exit.")
    var once = false

    @Option(help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    static func main() async {
        await CommandRunner.main(self)
    }

    func run() async throws {
        let level = logLevel
        LoggingSystem.bootstrap { StandardErrorLogHandler(label: $0, level: level) }
        let logger = Logger(label: "newsletterd")
        let daemon = try Daemon(location: global.location, logger: logger)

        if once {
            try Self.exitStatus(for: try daemon.runOnce(), settings: daemon.settings)
            return
        }

        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: DaemonService(daemon: daemon), successTerminationBehavior: .gracefullyShutdownGroup)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
    }

    /// `--once`: 65 when messages failed for good, 75 when the relay could not be reached or a
    /// job failed (everything stays queued for the next run).
    static func exitStatus(for report: Daemon.OnceReport, settings: Settings) throws {
        let delivery = report.delivery
        if delivery.failed > 0 {
            throw NewsletterError.badData(
                "\(delivery.failed) message\(delivery.failed == 1 ? "" : "s") failed permanently (\(delivery.sent) sent); "
                    + "'newsletterctl queue list --state failed' shows the replies")
        }
        if delivery.relayUnavailable {
            let relay = settings.mail.transport == .smtp ? settings.smtp.url?.description ?? "smtp" : "the maildir"
            throw NewsletterError.tempFailure("could not deliver through \(relay); \(delivery.sent) sent, the rest stay queued; the log says why")
        }
        if report.failures > 0 {
            throw NewsletterError.tempFailure("\(report.failures) digest job\(report.failures == 1 ? "" : "s") failed; the log says why")
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
