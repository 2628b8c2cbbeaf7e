import Foundation
import Hummingbird
import NewsletterCore

/// `GET /confirm/TOKEN` shows a "Confirm my subscription" button; only `POST` confirms, since
/// link scanners and mail clients open every link in a message.
struct ConfirmRoutes: Sendable {
    let state: WebState
    static let wording = "Confirmed with the button on the page the confirmation email links to"

    func register(on router: Router<WebContext>) {
        router.get("/confirm/:token") { _, context in try await show(context) }
        router.post("/confirm/:token") { _, context in try await confirm(context) }
    }

    private var link: TokenLink { TokenLink(state: state, purpose: .confirm) }

    func show(_ context: WebContext) async throws -> Response {
        let pages = PageRenderer(setup: state.setup)
        guard let subscriber = try await link.subscriber(context) else { return pages.badLink() }
        switch subscriber.status {
        case .pending:
            return pages.page(.confirm, title: "Confirm your subscription", Choices.describe(subscriber))
        case .active:
            return confirmed(subscriber, pages)
        case .unsubscribed, .bounced:
            return leftSince(pages)
        }
    }

    func confirm(_ context: WebContext) async throws -> Response {
        let pages = PageRenderer(setup: state.setup)
        guard let claim = link.claim(context) else { return pages.badLink() }
        let setup = state.setup
        let changes = SubscriberChanges(status: .active, wording: Self.wording, clientAddress: context.clientAddress)
        let result: Subscriber?
        do {
            result = try await state.blocking { [state] in
                try state.directory.update(link: claim, changes) { before, after, tx in
                    if before.status == .pending && after.status == .active {
                        try setup.signup.queueWelcome(for: after, in: tx, at: state.now())
                    }
                }
            }
        } catch let error as SubscriberError where error.code == .hasLeft {
            // They unsubscribed (or bounced) since: the old confirmation link does not bring them back.
            return leftSince(pages)
        }
        guard let subscriber = result else { return pages.badLink() }
        state.metrics?.count(MetricNames.confirmations, outcome: "confirmed")
        state.wake()
        return confirmed(subscriber, pages)
    }

    private func confirmed(_ subscriber: Subscriber, _ pages: PageRenderer) -> Response {
        var values = Choices.describe(subscriber)
        values["preferences"] = link.link(.preferences, for: subscriber)
        return pages.page(.confirmed, title: "You are signed up", values)
    }

    private func leftSince(_ pages: PageRenderer) -> Response {
        pages.notice(
            .ok, title: "This link is no longer in use",
            message: "This address has been unsubscribed since this link was sent, so the link does nothing now.",
            detail: "If you want to get our emails again, please sign up again.",
            link: ("Sign up again", PageRenderer.signupHref))
    }
}
