import Foundation
import Hummingbird
import NewsletterCore

/// `GET /healthz` (ok when the database answers) and `GET /metrics` (Prometheus text).
public struct ServiceRoutes: Sendable {
    /// Who may read `/metrics` on a listener.
    public enum MetricsAccess: Sendable {
        /// Not served here (the public listener, when `http.metrics_listen` is set).
        case none
        /// Served to clients whose address (after the proxy rules) is loopback: the public
        /// listener, when there is no metrics listener. A request the proxy forwarded from
        /// outside has an outside client address, so it is refused.
        case loopback
        /// Served to everyone who can reach the listener (`http.metrics_listen`).
        case everyone
    }

    let state: WebState
    let metricsAccess: MetricsAccess

    func register(on router: Router<WebContext>) {
        router.get("/healthz") { _, _ in try await health() }
        if metricsAccess != .none {
            router.get("/metrics") { _, context in try await metrics(context) }
        }
    }

    func health() async throws -> Response {
        do {
            try await state.blocking { [store = state.store] in try store.read { tx in try tx.ping() } }
            return PageRenderer.text("ok\n")
        } catch {
            state.logger.warning("health check failed", metadata: ["reason": "\((error as? NewsletterError)?.message ?? "\(error)")"])
            return PageRenderer.text("database unavailable\n", status: .serviceUnavailable)
        }
    }

    func metrics(_ context: WebContext) async throws -> Response {
        guard let metrics = state.metrics else { throw HTTPError(.notFound) }
        if metricsAccess == .loopback, !(context.clientAddress.map(IPAddressRange.isLoopback) ?? false) {
            return PageRenderer.text("metrics are served only to loopback clients, or on http.metrics_listen\n", status: .forbidden)
        }
        let body = try await state.blocking { [store = state.store] in try metrics.scrape(store) }
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
