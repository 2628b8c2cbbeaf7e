import Foundation
import Logging
import NewsletterCore

/// The transport the settings choose: `mail.transport` smtp (with `smtp:`) or maildir.
public enum Transports {
    public static func make(
        _ settings: Settings, environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger = Logger(label: "delivery")
    ) throws -> any MailTransport {
        switch settings.mail.transport {
        case .maildir:
            guard let folder = settings.mail.maildir else {
                throw NewsletterError.config("mail.maildir must be set when mail.transport is maildir")
            }
            return try MaildirTransport(folder: folder)
        case .smtp:
            return try SMTPTransport(settings: settings.smtp, from: settings.mail.from, environment: environment, logger: logger)
        }
    }
}
