import Foundation
import Hummingbird
import NewsletterCompose
import NewsletterCore

/// Turns a page template and its values into a response: HTML, UTF-8, with the status the
/// situation calls for. The security headers are added to every response by
/// ``SecurityHeadersMiddleware``.
struct PageRenderer: Sendable {
    let setup: WebSetup

    /// Every page sees `site.name`, `site.url`, `site.postal_address` and `title`.
    func page(_ page: PageTemplates.Page, title: String, status: HTTPResponse.Status = .ok, _ values: [String: Any] = [:]) -> Response {
        var context = values
        var site: [String: Any] = ["name": setup.siteName]
        if let url = setup.settings.site.baseURL { site["url"] = url.absoluteString }
        if let address = setup.settings.site.postalAddress { site["postal_address"] = address }
        context["site"] = site
        context["title"] = title
        return Self.html(setup.pages.render(page, context), status: status)
    }

    /// A short message page: a heading and one or two paragraphs, and perhaps a link on.
    func notice(
        _ status: HTTPResponse.Status, title: String, message: String, detail: String? = nil, link: (text: String, href: String)? = nil
    ) -> Response {
        var values: [String: Any] = ["message": message]
        if let detail { values["detail"] = detail }
        if let link { values["link"] = ["text": link.text, "href": link.href] }
        return page(.notice, title: title, status: status, values)
    }

    /// The page for a link that is not (or no longer) valid: 404, in plain words.
    func badLink() -> Response {
        notice(
            .notFound, title: "This link does not work",
            message: "The link you followed is not complete, or it is no longer in use.",
            detail: "If you copied it from an email, check that you copied all of it. If you want to sign up again, you can do that on the sign-up page.",
            link: ("Go to the sign-up page", Self.signupHref))
    }

    /// From `/confirm/TOKEN` and its siblings, the sign-up form is one folder up.
    static let signupHref = "../subscribe"

    static func html(_ body: String, status: HTTPResponse.Status) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    static func text(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}

/// The choices the forms offer, in plain words.
enum Choices {
    static func cadences(selected: DigestCadence, includeOff: Bool) -> [[String: Any]] {
        let all: [(DigestCadence, String)] = [
            (.daily, "Every day (only on days with news)"),
            (.weekly, "Once a week"),
            (.monthly, "Once a month"),
            (.off, "Never: no regular email"),
        ]
        return all.filter { includeOff || $0.0 != .off }.map { ["value": $0.0.rawValue, "label": $0.1, "checked": $0.0 == selected] }
    }

    static func blogModes(selected: BlogMode) -> [[String: Any]] {
        let all: [(BlogMode, String)] = [
            (.digest, "In my regular email"),
            (.immediate, "In an email as soon as they are posted"),
            (.off, "Not at all"),
        ]
        return all.map { ["value": $0.0.rawValue, "label": $0.1, "checked": $0.0 == selected] }
    }

    /// The site's topics and the subscriber's own (which may no longer be on the site),
    /// ticked where chosen.
    static func topics(site: [String], chosen: [String]) -> [[String: Any]] {
        var slugs = site
        for slug in chosen where !slugs.contains(slug) { slugs.append(slug) }
        return slugs.map { ["slug": $0, "name": TopicName.display($0), "checked": chosen.contains($0)] }
    }

    static func describe(_ subscriber: Subscriber) -> [String: Any] {
        let often: String
        switch subscriber.digest {
        case .daily: often = "an email each day there is news"
        case .weekly: often = "an email once a week when there is news"
        case .monthly: often = "an email once a month when there is news"
        case .off: often = "no regular email"
        }
        let blog: String
        switch subscriber.blog {
        case .digest: blog = "new blog posts in that email"
        case .immediate: blog = "new blog posts as soon as they are posted"
        case .off: blog = "no blog posts"
        }
        let topics = subscriber.topics.isEmpty ? "every topic" : subscriber.topics.map(TopicName.display).joined(separator: ", ")
        return ["often": often, "blog": blog, "topics_text": topics]
    }
}
