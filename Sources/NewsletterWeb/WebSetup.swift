import Foundation
import NewsletterCompose
import NewsletterCore

/// One generation of what the pages need from the config, checked whole at start (and at
/// SIGHUP): the page templates, the email templates and sender for confirmation and welcome
/// emails, the link tokens, the proxies to trust and the sign-up settings. Anything missing
/// is a config error (exit 78) before the server takes a request.
public struct WebSetup: Sendable {
    public let settings: Settings
    let pages: PageTemplates
    let signup: SignupMessages
    let tokens: LinkTokens

    public init(settings: Settings, store: Store) throws {
        let compose = try ComposeEnvironment.load(settings, store: store)
        try self.init(settings: settings, compose: compose, pages: try PageTemplates.load(settings.templates))
    }

    public init(settings: Settings, compose: ComposeEnvironment, pages: PageTemplates) throws {
        self.settings = settings
        self.pages = pages
        signup = SignupMessages(environment: compose)
        tokens = compose.tokens
    }

    var http: HTTPSettings { settings.http }
    var siteName: String { settings.site.name }
}
