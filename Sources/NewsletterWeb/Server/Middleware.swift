import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NewsletterCore

/// Works out who is asking (see ``ClientAddressRule``) before anything else looks.
struct ClientAddressMiddleware: RouterMiddleware {
    typealias Context = WebContext
    let state: WebState

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        var context = context
        let rule = ClientAddressRule(trustedProxies: state.setup.http.trustedProxies)
        let peer = context.remoteAddress?.ipAddress
        context.clientAddress = rule.client(peer: peer, forwardedFor: request.headers[values: .xForwardedFor])
        context.rateLimitKey = ClientAddressRule.rateLimitKey(client: context.clientAddress, peer: peer)
        return try await next(request, context)
    }
}

/// Headers every response carries. Pages hold link tokens in their URLs, so no referrer is
/// ever sent and nothing is cached; no script may run; no other site may frame a page (a
/// disguised "Unsubscribe" button); forms may post only back here, or to the configured
/// `http.after_subscribe_url`'s site, which a sign-up is redirected to.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = WebContext
    let state: WebState

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        var formTargets = "'self'"
        if let after = state.setup.http.afterSubscribeURL, let scheme = after.scheme, let host = after.host {
            formTargets += " \(scheme)://\(host)\(after.port.map { ":\($0)" } ?? "")"
        }
        response.headers[.contentSecurityPolicy] =
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action \(formTargets); frame-ancestors 'none'; base-uri 'none'"
        response.headers[.xFrameOptions] = "DENY"
        response.headers[.referrerPolicy] = "no-referrer"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.cacheControl] = "no-store"
        return response
    }
}

/// Bodies over 16 KB are refused with 413 before any route reads them; a body within the
/// limit is read here, whole, so routes never wait on the network.
struct BodyLimitMiddleware: RouterMiddleware {
    typealias Context = WebContext
    let state: WebState

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > WebContext.bodyLimit {
            return tooLarge()
        }
        var request = request
        do {
            _ = try await request.collectBody(upTo: WebContext.bodyLimit)
        } catch is NIOTooManyBytesError {
            return tooLarge()
        }
        return try await next(request, context)
    }

    private func tooLarge() -> Response {
        PageRenderer(setup: state.setup).notice(
            .contentTooLarge, title: "That was too much to send", message: "The form sent more than we accept. Go back and try again.")
    }
}

/// 405 with an `Allow` header for a method a known route does not take, rather than the
/// router's 404.
struct MethodGuardMiddleware: RouterMiddleware {
    typealias Context = WebContext
    let state: WebState
    let routes: [(pattern: [String], methods: [HTTPRequest.Method])]

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        let segments = request.uri.path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard let route = routes.first(where: { Self.matches($0.pattern, segments) }), !route.methods.contains(request.method) else {
            return try await next(request, context)
        }
        var response = PageRenderer(setup: state.setup).notice(
            .methodNotAllowed, title: "That did not work", message: "This page cannot be used that way.")
        response.headers[.allow] = route.methods.map(\.rawValue).joined(separator: ", ")
        return response
    }

    /// `*` in a pattern matches one segment (a token).
    static func matches(_ pattern: [String], _ segments: [String]) -> Bool {
        pattern.count == segments.count && zip(pattern, segments).allSatisfy { $0 == "*" || $0 == $1 }
    }
}

/// Every failure ends as a plain page: a 404 for an unknown address, 503 when the database
/// is busy or full (try again), 500 for anything else, logged; never a stack trace.
struct ErrorPageMiddleware: RouterMiddleware {
    typealias Context = WebContext
    let state: WebState

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        let pages = PageRenderer(setup: state.setup)
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            return pages.notice(.notFound, title: "Page not found", message: "There is no page at this address.")
        } catch let error as any HTTPResponseError {
            return pages.notice(error.status, title: "That did not work", message: "Something about the request was not right. Go back and try again.")
        } catch let error as StoreFailure {
            // Busy or full: it passes, so the visitor is asked to try again.
            state.logger.warning("request failed for now", metadata: ["route": "\(context.endpointPath ?? "?")", "reason": "\(error.message)"])
            var response = pages.notice(
                .serviceUnavailable, title: "Please try again", message: "We could not do that just now. Please try again in a minute.")
            response.headers[.retryAfter] = "60"
            return response
        } catch {
            state.logger.error(
                "request failed", metadata: ["route": "\(context.endpointPath ?? "?")", "reason": "\((error as? NewsletterError)?.message ?? "\(error)")"])
            return pages.notice(
                .internalServerError, title: "Something went wrong", message: "Something went wrong on our side. Please try again later.")
        }
    }
}

extension HTTPField.Name {
    static let xForwardedFor = Self("X-Forwarded-For")!
    static let xFrameOptions = Self("X-Frame-Options")!
    static let referrerPolicy = Self("Referrer-Policy")!
}
