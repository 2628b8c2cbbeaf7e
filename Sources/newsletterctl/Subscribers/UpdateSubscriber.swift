import ArgumentParser
import CommandSupport
import Foundation
import NewsletterCompose
import NewsletterCore

struct UpdateSubscriber: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Change a subscriber's name, preferences or confirmation status.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Their email address.")
    var email: String

    @OptionGroup var preferences: PreferenceOptions

    @Flag(help: "Clear their topics, so they hear about every topic.")
    var allTopics = false

    @Flag(help: "Mark a pending subscriber as confirmed (for example, after a signed paper form).")
    var active = false

    func validate() throws {
        if preferences.pending && active { throw ValidationError("give --pending or --active, not both") }
        if allTopics && !preferences.topics.isEmpty { throw ValidationError("give --topic or --all-topics, not both") }
        if preferences.name == nil && preferences.firstName == nil && preferences.digest == nil && preferences.blog == nil && preferences.topics.isEmpty
            && !allTopics && !preferences.pending && !active
        {
            throw ValidationError("nothing to change; give --name, --first-name, --digest, --blog, --topic, --all-topics, --pending or --active")
        }
    }

    func run() throws {
        let address = try EmailAddress(email)
        var changes = SubscriberChanges()
        if let name = preferences.name { changes.name = .some(try SubscriberName.validated(name)) }
        if let firstName = preferences.firstName { changes.firstName = .some(try SubscriberName.validated(firstName, field: "first name")) }
        changes.digest = preferences.digest
        changes.blog = preferences.blog
        if allTopics { changes.topics = [] } else if !preferences.topics.isEmpty { changes.topics = try preferences.topicSlugs() }
        if preferences.pending { changes.status = .pending }
        if active {
            changes.status = .active
            changes.wording = "Confirmed by staff with newsletterctl"
        }
        let (settings, store) = try global.open()
        let signup = active && settings.signup.welcome ? SignupMessages(environment: try ComposeEnvironment.load(settings, store: store)) : nil
        var welcomed = false
        let subscriber = try SubscriberDirectory(store: store, actor: Actor.cli).update(address, changes) { before, after, tx in
            if before.status == .pending && after.status == .active {
                welcomed = try signup?.queueWelcome(for: after, in: tx, at: Date()) != nil
            }
        }
        StandardOutput.shared.line("Updated \(subscriber.email) (\(subscriber.summary)).")
        if welcomed { StandardOutput.shared.line("A welcome email is queued.") }
    }
}
