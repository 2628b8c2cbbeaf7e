import ArgumentParser
import CommandSupport
import Foundation
import Logging
import Metrics
import NewsletterCore
import NewsletterDaemon
import NewsletterWeb
import Prometheus
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
        StartupSignals.install()
        await CommandRunner.main(self)
    }

    func run() async throws {
        let level = logLevel
        LoggingSystem.bootstrap { StandardErrorLogHandler(label: $0, level: level) }
        let logger = Logger(label: "newsletterd")
        // Before anything records a metric: counters made earlier would record nowhere.
        let registry = PrometheusCollectorRegistry()
        if !once { MetricsSystem.bootstrap(WebMetrics.factory(registry)) }
        if once { StartupSignals.restoreDefaults() }
        let daemon = try Daemon(location: global.location, logger: logger)

        if once {
            try Self.exitStatus(for: try daemon.runOnce(), settings: daemon.settings)
            return
        }

        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        var beforeStart: (@Sendable () async throws -> Void)?
        if let web = try Self.webServer(daemon: daemon, registry: registry) {
            let listeners = web.services { key, url in
                daemon.setStatusNote(key, key == "http.listen" ? "web \(url)" : "metrics \(url)")
                // The watchdog pings only while the pages answer.
                if key == "http.listen" {
                    daemon.addLivenessProbe("web server", patience: 10) { answer in
                        DispatchQueue.global().async { if HealthRequest.succeeds(url, timeout: 10) { answer() } }
                    }
                }
            }
            services = listeners.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) }
            beforeStart = { try await web.waitUntilListening() }
        }
        // The web listeners come after the daemon, so at SIGTERM they stop first: no sign-up
        // is taken once delivery has stopped.
        let daemonService = DaemonService(daemon: daemon, beforeStart: beforeStart)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: daemonService, successTerminationBehavior: .gracefullyShutdownGroup)] + services,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
    }

    /// The web pages, when `http.listen` is set: checked now (templates, sender, public
    /// address; exit 78 when something is missing), and reloaded with the rest at SIGHUP.
    static func webServer(daemon: Daemon, registry: PrometheusCollectorRegistry) throws -> WebServer? {
        let settings = daemon.settings
        guard let listen = settings.http.listen else { return nil }
        let logger = Logger(label: "web")
        let state = WebState(
            setup: try WebSetup(settings: settings, store: daemon.store), store: daemon.store, logger: logger, metrics: WebMetrics(registry: registry),
            wake: { daemon.wakeDelivery() })
        daemon.addReloadParticipant { next in
            guard next.http.listen != nil else {
                logger.warning("http.listen was removed; the pages stay up until newsletterd restarts")
                return {}
            }
            if next.http.listen != listen || next.http.metricsListen != settings.http.metricsListen {
                logger.warning("http.listen or http.metrics_listen changed; restart newsletterd to listen there")
            }
            let setup = try WebSetup(settings: next, store: daemon.store)
            return { state.replace(setup) }
        }
        return WebServer(state: state, logger: logger)
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
