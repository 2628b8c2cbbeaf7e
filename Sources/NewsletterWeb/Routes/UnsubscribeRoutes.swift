import Foundation
import Hummingbird
import NewsletterCore

/// `GET /unsubscribe/TOKEN` shows one button; `POST /unsubscribe/TOKEN` unsubscribes at once,
/// whether from that button or from a mail client's RFC 8058 one-click POST (body
/// `List-Unsubscribe=One-Click`), which gets a short plain-text 200. The token is the
/// authority, so any POST to the link unsubscribes, whatever its body. Queued messages are
/// cancelled with it, and repeating it changes nothing.
struct UnsubscribeRoutes: Sendable {
    let state: WebState

    func register(on router: Router<WebContext>) {
        router.get("/unsubscribe/:token") { _, context in try await show(context) }
        router.post("/unsubscribe/:token") { request, context in try await unsubscribe(request, context) }
    }

    private var link: TokenLink { TokenLink(state: state, purpose: .unsubscribe) }

    func show(_ context: WebContext) async throws -> Response {
        let pages = PageRenderer(setup: state.setup)
        guard let subscriber = try await link.subscriber(context) else { return pages.badLink() }
        if subscriber.status == .unsubscribed { return Self.done(pages, already: true) }
        return pages.page(.unsubscribe, title: "Unsubscribe", ["preferences": link.link(.preferences, for: subscriber)])
    }

    func unsubscribe(_ request: Request, _ context: WebContext) async throws -> Response {
        let pages = PageRenderer(setup: state.setup)
        guard let claim = link.claim(context) else { return pages.badLink() }
        let oneClick = try await FormBody.read(request)["List-Unsubscribe"] == "One-Click"
        let client = context.clientAddress
        let outcome = try await state.blocking { [state] in try state.directory.remove(link: claim, clientAddress: client) }
        guard let outcome else { return pages.badLink() }
        let already: Bool
        if case .alreadyUnsubscribed = outcome { already = true } else { already = false }
        state.metrics?.count(MetricNames.unsubscribes, outcome: already ? "repeated" : oneClick ? "one_click" : "page")
        if !already {
            state.logger.info("unsubscribed", metadata: ["subscriber_id": "\(claim.subscriberID)", "one_click": "\(oneClick)"])
        }
        if oneClick { return PageRenderer.text("You are unsubscribed.\n") }
        return Self.done(pages, already: already)
    }

    static func done(_ pages: PageRenderer, already: Bool) -> Response {
        pages.page(.unsubscribed, title: "You are unsubscribed", ["already": already, "signup": PageRenderer.signupHref])
    }
}
