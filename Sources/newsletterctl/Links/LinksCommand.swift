import ArgumentParser
import CommandSupport
import Foundation
import NewsletterCore

struct LinksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "links",
        abstract: "Manage the secret that signs unsubscribe, confirm and preferences links.",
        subcommands: [RotateLinkSecret.self])
}

struct RotateLinkSecret: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-secret",
        abstract: "Sign new links with a new secret; links signed with the old one keep working for links.previous_key_days.",
        discussion: """
            The current secret (the file link-secret beside the database) is retired into \
            link-secret.previous with today's date, and a new one takes its place. Links in \
            emails already sent keep working until the retired secret is links.previous_key_days \
            old (90 by default); then they show "This link does not work". Secrets retired longer \
            ago than that are deleted now. A running newsletterd notices within a second; no \
            reload is needed. Run it as the service's user.
            """)

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let settings = try global.settings()
        let keepFor = settings.links.previousKeyLifetime
        let place: String
        let rotation: LinkSecret.Rotation
        if settings.database.postgres != nil {
            let (_, store) = try global.open()
            place = "the database \(settings.database.name)"
            rotation = try store.write { tx in try tx.rotateLinkSecret(at: Date(), keepFor: keepFor) }
        } else {
            place = LinkSecret.path(forDatabase: settings.database.path)
            rotation = try LinkSecret.rotate(path: place, at: Date(), keepFor: keepFor)
        }
        let days = Int(keepFor / 86400)
        StandardOutput.shared.line(
            "New link secret in \(place). Links signed with the old one keep working for \(days) day\(days == 1 ? "" : "s")"
                + (rotation.dropped > 0 ? "; \(rotation.dropped) secret\(rotation.dropped == 1 ? "" : "s") retired longer ago deleted." : "."))
    }
}
