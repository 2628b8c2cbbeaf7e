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
            transactions in flight finish, then exits.
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
        let daemon = try Daemon(location: global.location, logger: logger, delivery: DeliveryWiring.make)

        if once {
            let report = try daemon.runOnce()
            if report.delivery.failed > 0 || report.failures > 0 {
                throw NewsletterError(
                    .unavailable, "\(report.delivery.failed) message(s) failed permanently and \(report.failures) job(s) failed; see the log and 'newsletterctl queue list --state failed'")
            }
            return
        }

        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: DaemonService(daemon: daemon), successTerminationBehavior: .gracefullyShutdownGroup)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
