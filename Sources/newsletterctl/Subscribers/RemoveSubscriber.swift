import ArgumentParser
import CommandSupport
import Foundation
import NewsletterCore

struct RemoveSubscriber: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Unsubscribe someone; their address stays on the suppression list.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Their email address.")
    var email: String

    func run() throws {
        let address = try EmailAddress(email)
        let (_, store) = try global.open()
        switch try SubscriberDirectory(store: store, actor: Actor.cli).remove(address) {
        case .unsubscribed(let subscriber):
            StandardOutput.shared.line("Unsubscribed \(subscriber.email); they will get no more mail.")
        case .alreadyUnsubscribed(let subscriber):
            StandardOutput.shared.line("\(subscriber.email) had already unsubscribed; nothing changed.")
        }
    }
}

struct EraseSubscriber: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "erase",
        abstract: "Erase everything about someone (GDPR); a hash of the address stays so they are never mailed again.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Their email address.")
    var email: String

    @Flag(help: "Do not ask for confirmation.")
    var yes = false

    func run() throws {
        let address = try EmailAddress(email)
        if !yes {
            guard isatty(0) == 1 else {
                throw NewsletterError.usage("erase cannot be undone: add --yes to confirm when not running at a terminal")
            }
            FileHandle.standardError.write(Data("Erase all data about \(address)? This cannot be undone. Type yes to confirm: ".utf8))
            guard readLine()?.trimmingCharacters(in: .whitespaces).lowercased() == "yes" else {
                throw NewsletterError.usage("not confirmed; nothing was erased")
            }
        }
        let (_, store) = try global.open()
        switch try SubscriberDirectory(store: store, actor: Actor.cli).erase(address) {
        case .erased:
            StandardOutput.shared.line(
                "Erased \(address): their details and consent log are gone; a hash of the address stays on the suppression list.")
        case .notOnList:
            StandardOutput.shared.line("\(address) was not on the list; a hash of it is now on the suppression list.")
        }
    }
}
