import Foundation
import Hummingbird
import NewsletterCore

/// `GET /preferences/TOKEN` shows the subscriber's choices; `POST /preferences/TOKEN` saves new
/// ones (cadence, blog setting, topics) or, with `action=unsubscribe`, unsubscribes.
struct PreferencesRoutes: Sendable {
    let state: WebState

    func register(on router: Router<WebContext>) {
        router.get("/preferences/:token") { _, context in try await show(context) }
        router.post("/preferences/:token") { request, context in try await save(request, context) }
    }

    private var link: TokenLink { TokenLink(state: state, purpose: .preferences) }

    func show(_ context: WebContext) async throws -> Response {
        let pages = PageRenderer(setup: state.setup)
        guard let subscriber = try await link.subscriber(context) else { return pages.badLink() }
        guard subscriber.status.isOnList else { return notOnList(pages) }
        return try await form(subscriber, pages)
    }

    func save(_ request: Request, _ context: WebContext) async throws -> Response {
        let pages = PageRenderer(setup: state.setup)
        guard let claim = link.claim(context) else { return pages.badLink() }
        let client = context.clientAddress
        let body = try await FormBody.read(request)
        // Only a choice of topics needs the site's list (not leaving, nor "every topic").
        let choosesTopics = body["action"] != "unsubscribe" && body.all("topics").contains { !$0.isEmpty }
        let allowedTopics: Set<String> = choosesTopics
            ? try await state.blocking { [state] in
                try state.store.read { tx in Set(try tx.siteTopics() + (try tx.subscriber(id: claim.subscriberID)?.topics ?? [])) }
            }
            : []
        switch PreferencesRequest(body, allowedTopics: allowedTopics) {
        case .unsubscribe:
            let outcome = try await state.blocking { [state] in try state.directory.remove(link: claim, clientAddress: client) }
            guard let outcome else { return pages.badLink() }
            if case .unsubscribed = outcome {
                state.metrics?.count(MetricNames.unsubscribes, outcome: "preferences")
                state.logger.info("unsubscribed", metadata: ["subscriber_id": "\(claim.subscriberID)", "from": "preferences"])
                return UnsubscribeRoutes.done(pages, already: false)
            }
            return UnsubscribeRoutes.done(pages, already: true)
        case .invalid(let problems):
            guard let subscriber = try await link.subscriber(context) else { return pages.badLink() }
            return try await form(subscriber, pages, problems: problems, status: .badRequest)
        case .change(let requested):
            var changes = requested
            changes.clientAddress = client
            let wanted = changes
            let found = try await state.blocking { [state] () throws -> Subscriber?? in
                guard let current = try state.directory.subscriber(link: claim) else { return .none }
                guard current.status.isOnList else { return .some(nil) }
                return .some(try state.directory.update(link: claim, wanted))
            }
            guard let outcome = found else { return pages.badLink() }
            guard let subscriber = outcome else { return notOnList(pages) }
            return try await form(subscriber, pages, saved: true)
        }
    }

    private func form(
        _ subscriber: Subscriber, _ pages: PageRenderer, saved: Bool = false, problems: [(field: String, message: String)] = [],
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let topics = try await state.blocking { [store = state.store] in try store.read { tx in try tx.siteTopics() } }
        var values = Choices.describe(subscriber)
        values["email"] = subscriber.email
        values["saved"] = saved
        values["pending"] = subscriber.status == .pending
        values["cadences"] = Choices.cadences(selected: subscriber.digest, includeOff: true)
        values["blog_modes"] = Choices.blogModes(selected: subscriber.blog)
        values["topics"] = Choices.topics(site: topics, chosen: subscriber.topics)
        values["has_topics"] = !topics.isEmpty || !subscriber.topics.isEmpty
        values["has_errors"] = !problems.isEmpty
        values["errors"] = problems.map { ["field": $0.field, "message": $0.message] }
        let title = saved ? "Your choices are saved" : problems.isEmpty ? "Your email choices" : "There is a problem: your email choices"
        return pages.page(.preferences, title: title, status: status, values)
    }

    private func notOnList(_ pages: PageRenderer) -> Response {
        pages.notice(
            .ok, title: "You are not on the list", message: "This address is unsubscribed, so there is nothing to change.",
            detail: "If you want to get our emails again, please sign up again.", link: ("Sign up again", PageRenderer.signupHref))
    }
}
