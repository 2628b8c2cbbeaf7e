import ArgumentParser
import CommandSupport
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
        let new = NewSubscriber(
            email: address,
            name: try SubscriberName.validated(preferences.name),
            status: preferences.pending ? .pending : .active,
            digest: preferences.digest ?? .default,
            blog: preferences.blog ?? .default,
            topics: try preferences.topicSlugs())
        let (_, store) = try global.open()
        let directory = SubscriberDirectory(store: store, actor: Actor.cli)
        let subscriber = try directory.add(
            new, wording: consent ?? "Added by staff with newsletterctl", resubscribe: resubscribe)
        StandardOutput.shared.line("Added \(subscriber.email) (\(subscriber.summary)).")
    }
}
