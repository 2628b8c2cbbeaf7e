import ArgumentParser
import CommandSupport
import Foundation
import NewsletterCore

struct ShowSubscriber: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one subscriber with their consent log (also a subject access export with --format json).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Their email address.")
    var email: String

    @Option(help: "text or json.")
    var format: TextFormat = .text

    func run() throws {
        let address = try EmailAddress(email)
        let (_, store) = try global.open()
        let profile = try SubscriberDirectory(store: store, actor: Actor.cli).profile(address)
        let out = StandardOutput.shared
        switch format {
        case .json:
            let json = SubscriberFormats.JSON(profile.subscriber, consent: profile.consent)
            out.line(String(decoding: try SubscriberFormats.encoder(pretty: true).encode(json), as: UTF8.self))
        case .text:
            let s = profile.subscriber
            out.line("Email:       \(s.email)")
            out.line("Name:        \(s.name ?? "(none)")")
            if let firstName = s.firstName { out.line("First name:  \(firstName)") }
            out.line("Greeting:    \(s.greetingName.map { "Hello \($0)," } ?? "Hello,")")
            out.line("Status:      \(s.status.rawValue)\(s.activeSince.map { s.status == .active ? " since \(DisplayDate.minute($0))" : "" } ?? "")")
            out.line("Digest:      \(s.digest.rawValue)")
            out.line("Blog posts:  \(s.blog.rawValue)")
            out.line("Topics:      \(s.topics.isEmpty ? "all" : s.topics.joined(separator: ", "))")
            out.line("Added:       \(DisplayDate.minute(s.createdAt))")
            out.line("Changed:     \(DisplayDate.minute(s.updatedAt))")
            out.line("Consent log:")
            for entry in profile.consent {
                var line = "  \(DisplayDate.minute(entry.at))  \(entry.action.rawValue)"
                if let from = entry.fromStatus, let to = entry.toStatus {
                    line += " (\(from.rawValue) → \(to.rawValue))"
                } else if let to = entry.toStatus {
                    line += " (\(to.rawValue))"
                }
                line += " by \(entry.actor)"
                if let address = entry.clientAddress { line += " from \(address)" }
                if let wording = entry.wording { line += ": \(wording.quotedForDisplay)" }
                out.line(line)
            }
        }
    }
}
