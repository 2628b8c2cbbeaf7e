import Foundation
import NewsletterCore

/// The double opt-in emails: the confirmation link sent to a pending subscriber, and the
/// welcome sent once they confirm. Each is one message, stored whole in the outbox; both are
/// queued inside the caller's transaction, with the status change that prompted them.
public struct SignupMessages: Sendable {
    let environment: ComposeEnvironment

    public init(environment: ComposeEnvironment) {
        self.environment = environment
    }

    /// Queues the confirmation email, unless `signup.confirmation` is off. Not list mail:
    /// it has no unsubscribe headers, since the person is not on the list yet.
    @discardableResult
    public func queueConfirmation(for subscriber: Subscriber, in tx: StoreTransaction, at now: Date) throws -> Int64? {
        guard subscriber.status == .pending, let message = try confirmation(for: subscriber, at: now) else { return nil }
        return try tx.enqueue(message, at: now)
    }

    /// The confirmation email, rendered; nil when `signup.confirmation` is off.
    ///
    /// It goes to an address anyone can type into the form, so it carries none of the
    /// visitor's own text: the name (stored with the subscriber) is left out of the To line
    /// and the greeting, and the rest is our wording and the link.
    public func confirmation(for subscriber: Subscriber, at now: Date) throws -> NewOutboxMessage? {
        guard environment.signup.confirmation else { return nil }
        var anonymous = subscriber
        anonymous.name = nil
        return try message(.confirm, for: anonymous, at: now, links: [.confirm], listMail: false)
    }

    /// Queues the welcome email, unless `signup.welcome` is off.
    @discardableResult
    public func queueWelcome(for subscriber: Subscriber, in tx: StoreTransaction, at now: Date) throws -> Int64? {
        guard environment.signup.welcome, subscriber.status == .active else { return nil }
        return try tx.enqueue(try message(.welcome, for: subscriber, at: now, links: [.unsubscribe, .preferences], listMail: true), at: now)
    }

    /// The complete message, rendered through the same serializer as every digest.
    package func message(_ kind: MessageKind, for subscriber: Subscriber, at now: Date, links: [LinkTokens.Purpose], listMail: Bool) throws
        -> NewOutboxMessage
    {
        let templateKind: TemplateSet.Kind = kind == .confirm ? .confirm : .welcome
        let hasName = subscriber.greetingName != nil
        var context = environment.baseContext(hasName: hasName, listMail: listMail)
        context["digest"] = subscriber.digest.rawValue
        context["gets_digest"] = subscriber.digest != .off
        context["period"] = DigestPeriod.word(subscriber.digest)
        context["blog_immediate"] = subscriber.blog == .immediate
        context["blog_digest"] = subscriber.blog == .digest
        context["topics"] = subscriber.topics.map(TopicName.display)
        context["topics_list"] = subscriber.topics.map(TopicName.display).joined(separator: ", ")
        context["all_topics"] = subscriber.topics.isEmpty
        let edition = Edition(
            id: 0, kind: kind, subject: environment.templates.subject(templateKind, context), headers: try environment.fixedHeaders(listMail: listMail, date: now),
            text: environment.templates.text(templateKind, context), html: environment.templates.html(templateKind, context), createdAt: now)
        var queued = try environment.message(kind: kind, edition: 0, subscriber: subscriber, at: now, links: links)
        guard case .edition(_, let merge) = queued.content else { return queued }
        queued.content = .complete(try PreparedEdition(edition).render(messageID: queued.messageID, to: subscriber.email, merge: merge))
        return queued
    }
}
