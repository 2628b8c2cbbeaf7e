import Foundation
import Hummingbird
import NewsletterCore

/// `GET /subscribe` (a plain form, for sites without their own) and `POST /subscribe` (the
/// site's form or ours posts here).
struct SignupRoutes: Sendable {
    let state: WebState

    func register(on router: Router<WebContext>) {
        router.get("/subscribe") { _, _ in try await showForm() }
        router.post("/subscribe") { request, context in try await subscribe(request, context) }
    }

    func form(_ signup: SignupForm? = nil, status: HTTPResponse.Status = .ok, topics: [String]? = nil) -> Response {
        let setup = state.setup
        var values: [String: Any] = [
            "consent_wording": setup.http.consentWording,
            "cadences": Choices.cadences(selected: signup?.digest ?? .default, includeOff: false),
            "honeypot": SignupForm.honeypotField,
        ]
        let siteTopics = topics ?? []
        values["has_topics"] = !siteTopics.isEmpty
        values["topics"] = Choices.topics(site: siteTopics, chosen: signup?.topics ?? [])
        if let signup {
            values["form"] = ["email": signup.email, "name": signup.name, "consent": signup.consent]
            values["has_errors"] = !signup.problems.isEmpty
            values["errors"] = signup.problems.map { ["field": $0.field, "message": $0.message] }
            values["error"] = Dictionary(signup.problems.map { ($0.field, $0.message) }, uniquingKeysWith: { first, _ in first })
        }
        let title = signup?.problems.isEmpty == false ? "There is a problem: sign up for updates" : "Sign up for updates"
        return PageRenderer(setup: setup).page(.subscribe, title: title, status: status, values)
    }

    private func showForm() async throws -> Response {
        form(nil, topics: try await state.siteTopics())
    }

    /// The answer is the same whether the address was new, pending, already on the list or
    /// had left it, and so is the work behind it (see ``SignupService``): nobody can learn
    /// from the answer, or from how long it took, who subscribes.
    func subscribe(_ request: Request, _ context: WebContext) async throws -> Response {
        let setup = state.setup
        let form = try await FormBody.read(request)
        let topics = try await state.siteTopics()
        let signup = SignupForm(form, siteTopics: Set(topics))
        let client = context.clientAddress
        if signup.isBot {
            state.metrics?.count(MetricNames.signups, outcome: "honeypot")
            state.logger.info("sign-up ignored: the hidden field was filled in", metadata: ["client": "\(client ?? "unknown")"])
            return accepted(setup)
        }
        guard let new = signup.subscriber else {
            state.metrics?.count(MetricNames.signups, outcome: "invalid")
            return self.form(signup, status: .badRequest, topics: topics)
        }
        let time = state.now()
        let byAddress = try await state.attempt(.perAddress, key: context.rateLimitKey, at: time)
        guard byAddress.allowed else {
            state.metrics?.count(MetricNames.signups, outcome: "rate_limited")
            state.logger.notice("sign-up refused: too many from one client address", metadata: ["client": "\(context.rateLimitKey)"])
            let minutes = Int((byAddress.retryAfter / 60).rounded(.up))
            var response = PageRenderer(setup: setup).notice(
                .tooManyRequests, title: "Please try again later",
                message: "We have had a lot of sign-ups from your connection. Please try again in \(minutes) minute\(minutes == 1 ? "" : "s").")
            response.headers[.retryAfter] = String(Int(byAddress.retryAfter.rounded(.up)))
            return response
        }
        // Over the per-address limit, the answer is the same but no more email goes out, so
        // nobody can fill someone's inbox with confirmation requests, nor with its variants.
        guard try await state.attempt(.perEmail, key: MailboxIdentity.key(new.email), at: time).allowed else {
            state.metrics?.count(MetricNames.signups, outcome: "email_limited")
            state.logger.notice("sign-up not emailed: too many for one email address", metadata: ["client": "\(client ?? "unknown")"])
            return accepted(setup)
        }
        let service = SignupService(store: state.store, actor: "web", now: state.now)
        let probe = state.signupProbe
        let result = try await state.blocking {
            try service.register(
                new, wording: setup.http.consentWording, source: .web(clientAddress: client),
                compose: { subscriber, time in try setup.signup.confirmation(for: subscriber, at: time) }, probe: probe)
        }
        state.metrics?.count(MetricNames.signups, outcome: result.outcome.rawValue)
        state.logger.info("web sign-up", metadata: ["outcome": "\(result.outcome.rawValue)", "client": "\(client ?? "unknown")"])
        if result.outcome.queuedEmail { state.wake() }
        return accepted(setup)
    }

    private func accepted(_ setup: WebSetup) -> Response {
        if let after = setup.http.afterSubscribeURL {
            var headers = HTTPFields()
            headers[.location] = after.absoluteString
            return Response(status: .seeOther, headers: headers)
        }
        return PageRenderer(setup: setup).page(.subscribed, title: "Check your inbox")
    }
}
