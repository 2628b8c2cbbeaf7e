import ArgumentParser
import CommandSupport
import Foundation
import NewsletterCompose
import NewsletterCore

struct AddSubscriber: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a subscriber, recording their consent.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Their email address.")
    var email: String

    @OptionGroup var preferences: PreferenceOptions

    @Flag(help: "Add an address that unsubscribed, bounced or was erased: only when they have asked to join again.")
    var resubscribe = false

    @Option(help: "What they agreed to, in the words they were shown (kept in the consent log).")
    var consent: String?

    func run() throws {
        let address = try EmailAddress(email)
        let wording = try ConsentWording.validated(consent ?? "Added by staff with newsletterctl")
        let new = NewSubscriber(
            email: address,
            name: try SubscriberName.validated(preferences.name),
            status: preferences.pending ? .pending : .active,
            digest: preferences.digest ?? .default,
            blog: preferences.blog ?? .default,
            topics: try preferences.topicSlugs(),
            firstName: try SubscriberName.validated(preferences.firstName, field: "first name"))
        let (settings, store) = try global.open()
        // Double opt-in: a pending subscriber is sent the confirmation link, queued with them.
        let signup = new.status == .pending && settings.signup.confirmation
            ? SignupMessages(environment: try ComposeEnvironment.load(settings, store: store)) : nil
        // The same service as the web form, under staff rules: one transaction for the
        // subscriber, their consent and the confirmation email.
        let result = try SignupService(store: store, actor: Actor.cli).register(
            new, wording: wording, source: .staff(resubscribe: resubscribe),
            compose: { added, time in try signup?.confirmation(for: added, at: time) })
        let subscriber = result.subscriber!
        let confirmation = result.confirmation
        StandardOutput.shared.line("Added \(subscriber.email) (\(subscriber.summary)).")
        if confirmation != nil {
            StandardOutput.shared.line("A confirmation email is queued; they get nothing else until they confirm.")
        }
    }
}
