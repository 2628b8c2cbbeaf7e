import Hummingbird
import NewsletterCore

/// The subscriber a link's token names: verified against its purpose (an unsubscribe token
/// cannot confirm anyone), then looked up. A token that is tampered with, for another
/// purpose, or for a subscriber since erased gets the same friendly 404.
struct TokenLink: Sendable {
    let state: WebState
    let purpose: LinkTokens.Purpose

    /// The verified subscriber id, or nil.
    func subscriberID(_ context: WebContext) -> Int64? {
        guard let token = context.parameters.get("token") else { return nil }
        return state.setup.tokens.verify(token, purpose: purpose)
    }

    /// The subscriber, or nil when the token is not genuine or they are gone.
    func subscriber(_ context: WebContext) async throws -> Subscriber? {
        guard let id = subscriberID(context) else { return nil }
        return try await state.blocking { [state] in try state.directory.subscriber(id: id) }
    }

    /// A token of another purpose for the same subscriber, as a link relative to this page
    /// (`/confirm/TOKEN` → `../preferences/TOKEN`), so it works behind any proxy prefix.
    func link(_ other: LinkTokens.Purpose, for subscriber: Subscriber) -> String {
        "../\(other.rawValue)/" + state.setup.tokens.token(subscriberID: subscriber.id, purpose: other)
    }
}
