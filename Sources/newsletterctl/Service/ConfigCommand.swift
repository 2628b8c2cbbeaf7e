import ArgumentParser
import CommandSupport
import Foundation
import NewsletterCompose
import NewsletterContent
import NewsletterCore
import NewsletterDelivery
import NewsletterStore

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check a configuration before newsletterd uses it.",
        subcommands: [ConfigCheck.self])
}

struct ConfigCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the config, templates, content folder and mail settings, and explain each problem.",
        discussion: "Exit 0 when all is well, 78 when something in the configuration needs fixing, 69 when only the "
            + "SMTP login (--connect) failed.")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Also connect to the SMTP relay and log in (nothing is sent).")
    var connect = false

    func run() throws {
        // A file that does not parse stops here, with the usual one-line error (exit 78).
        let settings = try global.settings()
        let out = StandardOutput.shared
        var problems = 0
        func check(_ label: String, _ body: () throws -> String) {
            do {
                out.line("ok       \(label): \(try body())")
            } catch let error as NewsletterError {
                problems += 1
                out.line("PROBLEM  \(label): \(error.message)")
            } catch {
                problems += 1
                out.line("PROBLEM  \(label): \(error)")
            }
        }

        out.line("ok       config \(settings.file): every key known, every value well formed")
        check("database") {
            guard settings.database.postgres != nil else { return try Self.databaseFolder(settings.database.path) }
            // A server is checked by connecting: the login, the TLS settings and the schema.
            _ = try Store.open(settings.database)
            return "\(settings.database.name) answers"
        }
        // The line names which templates are in use: built-in, installed, or the admin's own.
        let templates = TemplateSource.resolve(settings.templates)
        check("templates") {
            _ = try TemplateSet.load(source: templates)
            return "\(templates) loads"
        }
        if let listen = settings.http.listen {
            check("web pages") {
                let pages = try PageTemplates.load(source: templates)
                return "\(pages.folder) loads; served on \(listen)" + (settings.http.metricsListen.map { ", metrics on \($0)" } ?? "")
            }
        }
        check("content") {
            switch try WatchedSite(settings: settings) {
            case .folder(let site):
                return "\(site.root), pages linked under \(site.baseURL)"
            case .website(let site):
                let sources = site.sources
                let parts = [(sources.sitemaps.count, "sitemap"), (sources.feeds.count, "feed"), (sources.pages.count, "page")]
                    .filter { $0.0 > 0 }.map { "\($0.0) \($0.1)\($0.0 == 1 ? "" : "s")" }
                return "the website \(site.baseURL): " + parts.joined(separator: ", ") + ", checked every "
                    + ConfigDuration.format(site.settings.checkInterval)
            }
        }
        check("emails") {
            guard let from = settings.mail.from else {
                throw NewsletterError.config("mail.from is not set; emails need a sender such as \"Carers News <news@carers.example.org>\"")
            }
            guard let publicURL = settings.http.publicURL else {
                throw NewsletterError.config("http.public_url is not set; unsubscribe and preferences links in emails need it")
            }
            return "from \(from), links under \(publicURL.absoluteString)"
        }
        var loginFailed = false
        check("transport") {
            let transport = try Transports.make(settings)
            guard connect, let smtp = transport as? SMTPTransport else { return transport.destination }
            let result = try smtp.checkLogin()
            guard result.disposition == .sent else {
                loginFailed = true
                throw NewsletterError.unavailable("\(transport.destination): \(result)")
            }
            return "\(transport.destination), logged in: \(result)"
        }

        if problems == 0 {
            out.line("The configuration is ready.")
        } else if loginFailed && problems == 1 {
            throw NewsletterError.unavailable("the SMTP login failed; check smtp.url, smtp.username and the password file")
        } else {
            throw NewsletterError.config("\(problems) problem\(problems == 1 ? "" : "s") in \(settings.file); see above")
        }
    }

    /// The database's folder must exist (or be creatable) and be writable.
    static func databaseFolder(_ path: String) throws -> String {
        var folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: folder.path) { folder.deleteLastPathComponent() }
        guard access(folder.path, W_OK | X_OK) == 0 else {
            throw NewsletterError.cantCreate("\(folder.path) is not writable by user \(UnixUser.current); the database \(path) needs it")
        }
        return path
    }
}
