import Foundation
import Mustache
import NewsletterCore

/// The Mustache templates of newsletterd's web pages, in the `web` folder of the templates
/// folder (`templates.dir`), loaded and checked once like the email templates: a missing
/// file or a syntax error stops the daemon at start (exit 78) naming the file and line,
/// never a request.
///
/// Each page is `web/PAGE.html`; they share `web/partials/header.html` and
/// `web/partials/footer.html`. Everything is HTML-escaped unless a template says otherwise.
public struct PageTemplates: Sendable {
    public enum Page: String, Sendable, CaseIterable {
        /// The sign-up form (shown again with its errors).
        case subscribe
        /// "Check your inbox".
        case subscribed
        /// The "Confirm my subscription" button.
        case confirm
        case confirmed
        /// The one "Unsubscribe" button.
        case unsubscribe
        case unsubscribed
        /// Cadence, blog setting and topics, and a way out.
        case preferences
        /// Any short message: a link that does not work, too many sign-ups, an error.
        case notice
    }

    public static let folderName = "web"
    static let partialNames = ["header", "footer"]

    /// Where the pages came from: the `web` folder, or "built-in".
    public let folder: String
    private let library: MustacheLibrary

    /// Loads `web/` inside `templatesDir`.
    public static func load(templatesDir: String) throws -> PageTemplates {
        try load(source: .folder(templatesDir))
    }

    /// The pages the config asks for (see `TemplateSource.resolve`).
    public static func load(_ settings: TemplateSettings) throws -> PageTemplates {
        try load(source: TemplateSource.resolve(settings))
    }

    /// Loads `web/` of the source.
    public static func load(source: TemplateSource) throws -> PageTemplates {
        guard source.hasFolder(folderName) else {
            throw NewsletterError.config(
                "web page templates folder \(source.name(folderName)) not found; copy config/templates/web into templates.dir (the pages need it when http.listen is set)")
        }
        var library = MustacheLibrary()
        for partial in partialNames {
            library.register(try TemplateSet.parse(source, "\(folderName)/partials/\(partial).html", plain: false, partials: partialNames), named: partial)
        }
        for page in Page.allCases {
            library.register(try TemplateSet.parse(source, "\(folderName)/\(page.rawValue).html", plain: false, partials: partialNames), named: page.rawValue)
        }
        return PageTemplates(folder: source.name(folderName), library: library)
    }

    public func render(_ page: Page, _ context: [String: Any]) -> String {
        library.render(context, withTemplate: page.rawValue) ?? ""
    }
}
