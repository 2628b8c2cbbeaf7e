import ArgumentParser
import CommandSupport
import Logging
import NewsletterCore
import NewsletterDelivery

struct SendTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send-test",
        abstract: "Send one test message now through the configured transport and print the server's reply.",
        discussion: "The message does not go through the outbox. Exit 0 when accepted, 75 on a temporary "
            + "failure (try again later), 65 when refused for good, 78 when the configuration is wrong.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Where to send it.")
    var email: String

    func run() throws {
        let address = try EmailAddress(email)
        let settings = try global.settings()
        let logger = Logger(label: "newsletterctl") { StandardErrorLogHandler(label: $0, level: .warning) }
        let transport = try Transports.make(settings, logger: logger)
        let result = try SendTest.send(to: address, settings: settings, transport: transport)
        switch result.disposition {
        case .sent:
            StandardOutput.shared.line("Sent to \(address) through \(transport.destination): \(result)")
        case .temporary:
            throw NewsletterError.tempFailure("not sent to \(address) through \(transport.destination), try again later: \(result)")
        case .permanent:
            throw NewsletterError.badData("\(transport.destination) refused the message to \(address): \(result)")
        }
    }
}
