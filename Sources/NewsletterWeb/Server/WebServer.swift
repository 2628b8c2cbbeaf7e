import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NewsletterCore
import ServiceLifecycle
import Synchronization

/// newsletterd's web server: the public pages on `http.listen`, and `/metrics` on
/// `http.metrics_listen` when set. Each listener is a swift-service-lifecycle service, so
/// they run in the daemon's service group and SIGTERM stops them gracefully (requests in
/// flight finish) before the daemon itself stops.
public struct WebServer: Sendable {
    public let state: WebState
    let logger: Logger
    private let listening = ListeningSignal()

    public init(state: WebState, logger: Logger) {
        self.state = state
        self.logger = logger
    }

    /// The routes of one listener.
    public static func router(state: WebState, metrics: ServiceRoutes.MetricsAccess, publicPages: Bool = true) -> Router<WebContext> {
        let router = Router(context: WebContext.self, options: .autoGenerateHeadEndpoints)
        // Outermost first: the headers go on every answer, error pages included.
        router.add(middleware: SecurityHeadersMiddleware(state: state))
        router.add(middleware: ErrorPageMiddleware(state: state))
        router.add(middleware: ClientAddressMiddleware(state: state))
        router.add(middleware: MetricsMiddleware())
        var routes: [(pattern: [String], methods: [HTTPRequest.Method])] = [(["healthz"], [.get, .head])]
        if metrics != .none { routes.append((["metrics"], [.get, .head])) }
        if publicPages {
            routes += [
                (["subscribe"], [.get, .head, .post]), (["confirm", "*"], [.get, .head, .post]),
                (["unsubscribe", "*"], [.get, .head, .post]), (["preferences", "*"], [.get, .head, .post]),
            ]
        }
        router.add(middleware: MethodGuardMiddleware(state: state, routes: routes))
        router.add(middleware: BodyLimitMiddleware(state: state))
        ServiceRoutes(state: state, metricsAccess: metrics).register(on: router)
        if publicPages {
            SignupRoutes(state: state).register(on: router)
            ConfirmRoutes(state: state).register(on: router)
            UnsubscribeRoutes(state: state).register(on: router)
            PreferencesRoutes(state: state).register(on: router)
        }
        return router
    }

    /// The services to add to the daemon's service group: one per listener.
    /// `onListening` is told each listener's address once it accepts connections.
    public func services(onListening: @escaping @Sendable (_ key: String, _ url: String) -> Void = { _, _ in }) -> [any Service] {
        let http = state.setup.http
        guard let listen = http.listen else { return [] }
        var services: [any Service] = []
        let expected = http.metricsListen == nil ? 1 : 2
        listening.expect(expected)
        let files = FileLimit.ensure(listeners: expected, maxConnections: http.maxConnections)
        if files.soft < files.needed {
            logger.warning(
                "the open-file limit is below what http.max_connections needs; lower it or raise LimitNOFILE= in the unit",
                metadata: ["limit": "\(files.soft)", "needed": "\(files.needed)", "setting": "http.max_connections"])
        }
        let main = Self.router(state: state, metrics: http.metricsListen == nil ? .loopback : .none)
        services.append(listener(main, at: listen, key: "http.listen", onListening: onListening))
        if let metricsListen = http.metricsListen {
            let metrics = Self.router(state: state, metrics: .everyone, publicPages: false)
            services.append(listener(metrics, at: metricsListen, key: "http.metrics_listen", onListening: onListening))
        }
        return services
    }

    /// Returns once every listener accepts connections (or throws if the group stops first).
    public func waitUntilListening() async throws {
        try await listening.wait()
    }

    private func listener(
        _ router: Router<WebContext>, at address: ListenAddress, key: String, onListening: @escaping @Sendable (String, String) -> Void
    ) -> any Service {
        let logger = logger
        let signal = listening
        let http = state.setup.http
        // Without an idle timeout Hummingbird keeps a silent socket forever; without a cap,
        // enough of them use up the file limit and then SQLite, content reads and SMTP fail.
        let app = Application(
            router: router,
            server: .http1(configuration: .init(idleTimeout: .nanoseconds(Int64(http.idleTimeout * 1_000_000_000)))),
            configuration: .init(
                address: .hostname(address.host, port: address.port), serverName: nil,
                availableConnectionsDelegate: MaximumAvailableConnections(http.maxConnections, logger: logger)),
            onServerRunning: { channel in
                let bound = channel.localAddress.map { Self.describe($0) } ?? address.description
                logger.info("web server listening", metadata: ["setting": "\(key)", "url": "http://\(bound)"])
                onListening(key, "http://\(bound)")
                signal.arrived()
            },
            logger: logger)
        return Listener(app: app, address: address, key: key)
    }

    static func describe(_ address: SocketAddress) -> String {
        let host = address.ipAddress ?? "?"
        let port = address.port ?? 0
        return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// One Hummingbird application, its failure to start said in one line.
    struct Listener<App: ApplicationProtocol>: Service {
        let app: App
        let address: ListenAddress
        let key: String

        func run() async throws {
            do {
                try await app.run()
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                throw NewsletterError.unavailable("cannot serve the web pages on \(address) (\(key)): \(error)")
            }
        }
    }
}

/// Counts listeners coming up; `wait` returns once all have.
final class ListeningSignal: Sendable {
    private let counts = Mutex((expected: 0, arrived: 0))

    func expect(_ count: Int) {
        counts.withLock { $0.expected += count }
    }

    func arrived() {
        counts.withLock { $0.arrived += 1 }
    }

    /// Polls, so that cancellation (a listener that failed, SIGTERM) ends the wait at once.
    func wait() async throws {
        while !counts.withLock({ $0.arrived >= $0.expected }) {
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
