import Foundation
import NewsletterCore

/// What composing needs from the config, checked once: a missing sender or public address
/// is a config error before any message is built, not a broken email.
public struct ComposeEnvironment: Sendable {
    public var siteName: String
    public var siteURL: URL?
    public var postalAddress: String?
    /// Where links in emails point (`http.public_url`).
    public var publicURL: URL
    public var from: Mailbox
    public var replyTo: Mailbox?
    public var timeZone: TimeZone
    public var sendEmpty: Bool
    public var blogWindow: TimeInterval
    public var signup: SignupSettings
    public var templates: TemplateSet
    public var tokens: LinkTokens

    public init(
        siteName: String, siteURL: URL?, postalAddress: String?, publicURL: URL, from: Mailbox, replyTo: Mailbox?, timeZone: TimeZone,
        sendEmpty: Bool, blogWindow: TimeInterval, signup: SignupSettings, templates: TemplateSet, tokens: LinkTokens
    ) {
        self.siteName = siteName
        self.siteURL = siteURL
        self.postalAddress = postalAddress
        self.publicURL = publicURL
        self.from = from
        self.replyTo = replyTo
        self.timeZone = timeZone
        self.sendEmpty = sendEmpty
        self.blogWindow = blogWindow
        self.signup = signup
        self.templates = templates
        self.tokens = tokens
    }

    /// Loads templates and the link secret (beside a SQLite `store`, or in a shared one);
    /// throws exit 78 naming the missing setting.
    public static func load(_ settings: Settings, store: Store) throws -> ComposeEnvironment {
        guard let from = settings.mail.from else {
            throw NewsletterError.config("config \(settings.file): mail.from is not set; emails need a sender such as \"Carers News <news@carers.example.org>\"")
        }
        guard let publicURL = settings.http.publicURL else {
            throw NewsletterError.config("config \(settings.file): http.public_url is not set; unsubscribe and preferences links in emails need it")
        }
        let tokens = try LinkTokens.load(settings.database, store: store, keepFor: settings.links.previousKeyLifetime)
        return ComposeEnvironment(
            siteName: settings.site.name, siteURL: settings.site.baseURL, postalAddress: settings.site.postalAddress, publicURL: publicURL,
            from: from, replyTo: settings.mail.replyTo, timeZone: settings.schedule.timeZone, sendEmpty: settings.digest.sendEmpty,
            blogWindow: settings.blog.window, signup: settings.signup, templates: try TemplateSet.load(settings.templates),
            tokens: tokens)
    }

    // MARK: Pieces every message uses

    /// A link whose token is filled in per recipient.
    func linkPlaceholder(_ purpose: LinkTokens.Purpose) -> String {
        let slot: RecipientSlot
        switch purpose {
        case .unsubscribe: slot = .unsubscribeToken
        case .preferences: slot = .preferencesToken
        case .confirm: slot = .confirmToken
        }
        return publicURL.absoluteString + "/\(purpose.rawValue)/" + slot.placeholder
    }

    /// The headers every recipient of an edition shares: Date (when it was composed), From,
    /// Reply-To and, for list mail, List-Id and RFC 8058's one-click unsubscribe, whose link
    /// holds the recipient's token placeholder.
    func fixedHeaders(listMail: Bool, date: Date) throws -> String {
        var headers = try HeaderEncoding.line("Date", MessageDate.format(date))
        headers += try HeaderEncoding.line("From", try HeaderEncoding.mailbox(from))
        if let replyTo { headers += try HeaderEncoding.line("Reply-To", try HeaderEncoding.mailbox(replyTo)) }
        if listMail {
            headers += try HeaderEncoding.line("List-Id", "\(try HeaderEncoding.phrase(siteName)) <newsletter.\(from.address.domain.lowercased())>")
            // Folded at the comma always, so the line does not change shape with the token's
            // length: the relay's DKIM signature covers it.
            let mailto = "mailto:\((replyTo ?? from).address.value)?subject=unsubscribe"
            headers += "List-Unsubscribe: <\(linkPlaceholder(.unsubscribe))>,\r\n <\(mailto)>\r\n"
            headers += try HeaderEncoding.line("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
        }
        return headers
    }

    /// The template context every message shares: the site, and placeholders for what
    /// differs between recipients. `listMail` is false for the confirmation email, which
    /// goes to someone not on the list yet and so has no unsubscribe links.
    func baseContext(hasName: Bool, listMail: Bool = true) -> [String: Any] {
        var site: [String: Any] = ["name": RecipientSlot.inert(siteName)]
        if let siteURL { site["url"] = RecipientSlot.inert(siteURL.absoluteString) }
        if let postalAddress { site["postal_address"] = RecipientSlot.inert(postalAddress) }
        var recipient: [String: Any] = ["email": RecipientSlot.email.placeholder]
        // `recipient.name` is what templates greet by: a first name when known (see
        // `Subscriber.greetingName`), never "Sharma, Priya".
        if hasName { recipient["name"] = RecipientSlot.greeting.placeholder }
        return [
            "list_mail": listMail,
            "site": site,
            "recipient": recipient,
            "links": [
                "unsubscribe": linkPlaceholder(.unsubscribe),
                "preferences": linkPlaceholder(.preferences),
                "confirm": linkPlaceholder(.confirm),
            ],
        ]
    }

    /// One recipient's merge fields: their name and their link tokens.
    func merge(for subscriber: Subscriber, links: [LinkTokens.Purpose]) -> [String: String] {
        var fields: [String: String] = [:]
        if let name = subscriber.name { fields[RecipientSlot.name.mergeKey] = name }
        if let greeting = subscriber.greetingName { fields[RecipientSlot.greeting.mergeKey] = greeting }
        for purpose in links {
            fields[purpose.rawValue] = tokens.token(for: subscriber, purpose: purpose)
        }
        return fields
    }

    /// The outbox row for `subscriber`, built from `edition`.
    func message(kind: MessageKind, edition: Int64, subscriber: Subscriber, at date: Date, links: [LinkTokens.Purpose]) throws
        -> NewOutboxMessage
    {
        try MessageFactory(environment: self, at: date).message(kind: kind, edition: edition, subscriber: subscriber, links: links)
    }
}

/// One recipient's message, and its subject and parts with their fields filled in.
package struct RenderedMessage: Sendable {
    /// The bytes as sent.
    package var message: Data
    package var subject: String
    package var text: String
    package var html: String
}

extension ComposeEnvironment {
    /// The message `subscriber` gets from `draft`, rendered through the same serializer as the
    /// outbox uses.
    func render(_ draft: NewEdition, kind: MessageKind, to subscriber: Subscriber, at date: Date, links: [LinkTokens.Purpose]) throws
        -> RenderedMessage
    {
        let edition = Edition(id: 0, kind: kind, subject: draft.subject, headers: draft.headers, text: draft.text, html: draft.html, createdAt: date)
        let message = try self.message(kind: kind, edition: 0, subscriber: subscriber, at: date, links: links)
        guard case .edition(_, let merge) = message.content else {
            throw NewsletterError.internalError("a \(kind.rawValue) message was not built from an edition")
        }
        let bytes = try PreparedEdition(edition).render(messageID: message.messageID, to: subscriber.email, merge: merge)
        let value = { (slot: RecipientSlot) in slot == .email ? subscriber.email : merge[slot.mergeKey] ?? "" }
        return RenderedMessage(
            message: bytes, subject: RecipientSlot.fill(draft.subject[...], value), text: RecipientSlot.fill(draft.text[...], value),
            html: draft.html.map { RecipientSlot.fill($0[...]) { HTMLEscape.escape(value($0)) } } ?? "")
    }
}

/// Outbox rows for many recipients composed at one moment: the fixed part of the
/// Message-IDs is worked out once.
struct MessageFactory {
    let environment: ComposeEnvironment
    let date: Date
    let ids: MessageIDGenerator

    init(environment: ComposeEnvironment, at date: Date) {
        self.environment = environment
        self.date = date
        ids = MessageIDGenerator(domain: environment.from.address.domain, at: date)
    }

    func message(kind: MessageKind, edition: Int64, subscriber: Subscriber, links: [LinkTokens.Purpose]) throws -> NewOutboxMessage {
        NewOutboxMessage(
            kind: kind, subscriberID: subscriber.id, envelopeFrom: environment.from.address, envelopeTo: try EmailAddress(subscriber.email),
            messageID: ids.next(), content: .edition(id: edition, merge: environment.merge(for: subscriber, links: links)),
            notBefore: date)
    }
}
