import Hummingbird
import NewsletterCore

/// The subscriber a link's token names: parsed for its purpose (an unsubscribe token cannot
/// confirm anyone), then checked against the subscriber row by the directory call that uses
/// it. A token that is tampered with, for another purpose, signed with a secret retired too
/// long ago, or made for a subscriber since erased (even if someone else has their id now)
/// gets the same friendly 404.
struct TokenLink: Sendable {
    let state: WebState
    let purpose: LinkTokens.Purpose

    /// What the token claims, not yet checked against the row; nil when it is no token.
    func claim(_ context: WebContext) -> LinkClaim? {
        guard let token = context.parameters.get("token") else { return nil }
        return state.setup.tokens.claim(token, purpose: purpose)
    }

    /// The subscriber, or nil when the token is not genuine or not theirs.
    func subscriber(_ context: WebContext) async throws -> Subscriber? {
        guard let claim = claim(context) else { return nil }
        return try await state.blocking { [state] in try state.directory.subscriber(link: claim) }
    }

    /// A token of another purpose for the same subscriber, as a link relative to this page
    /// (`/confirm/TOKEN` → `../preferences/TOKEN`), so it works behind any proxy prefix.
    func link(_ other: LinkTokens.Purpose, for subscriber: Subscriber) -> String {
        "../\(other.rawValue)/" + state.setup.tokens.token(for: subscriber, purpose: other)
    }
}
