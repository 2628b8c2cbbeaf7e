import Foundation
import Yams

/// Everything the config file says, checked. Both binaries load it the same way.
///
/// Each section is its own type reading its own keys; a key no section reads is an error.
public struct Settings: Sendable {
    /// The file these settings came from.
    public var file: String
    public var database: DatabaseSettings
    public var site: SiteSettings
    public var mail: MailSettings
    public var http: HTTPSettings
    public var templates: TemplateSettings
    public var digest: DigestSettings
    public var blog: BlogSettings
    public var signup: SignupSettings
    public var schedule: ScheduleSettings
    public var content: ContentSettings
    public var smtp: SMTPSettings
    public var delivery: DeliverySettings
    public var links: LinkSettings
    public var subscribers: SubscriberSettings
    public var website = WebsiteSettings()

    /// Parses `yaml`, read from `file`; relative paths in it are taken from the file's folder.
    public static func parse(yaml: String, file: String) throws -> Settings {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw ConfigSection.error(file: file, line: Self.line(of: error), "not valid YAML: \(Self.problem(of: error))")
        }
        let top = try ConfigSection(file: file, path: "", node: root)
        let folder = URL(fileURLWithPath: file).deletingLastPathComponent()
        let database = try DatabaseSettings(try top.section("database"), relativeTo: folder)
        let site = try SiteSettings(try top.section("site"), relativeTo: folder)
        var settings = Settings(
            file: file,
            database: database,
            site: site,
            mail: try MailSettings(try top.section("mail"), relativeTo: folder),
            http: try HTTPSettings(try top.section("http"), site: site),
            templates: try TemplateSettings(try top.section("templates"), relativeTo: folder),
            digest: try DigestSettings(try top.section("digest")),
            blog: try BlogSettings(try top.section("blog")),
            signup: try SignupSettings(try top.section("signup")),
            schedule: try ScheduleSettings(try top.section("schedule")),
            content: try ContentSettings(try top.section("content")),
            smtp: try SMTPSettings(try top.section("smtp"), relativeTo: folder),
            delivery: try DeliverySettings(try top.section("delivery")),
            links: try LinkSettings(try top.section("links")),
            subscribers: try SubscriberSettings(try top.section("subscribers")))
        settings.website = try WebsiteSettings(try top.section("website"), relativeTo: folder)
        try top.finish()
        return settings
    }

    /// Loads the config file, failing with exit 78 and a one-line reason.
    public static func load(from location: ConfigLocation) throws -> Settings {
        try parse(yaml: try location.read(), file: location.path)
    }

    private static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): mark.line
        case .duplicatedKeysInMapping(_, let context): context.mark.line
        default: nil
        }
    }

    private static func problem(of error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, _, _), .parser(let context, let problem, _, _), .composer(let context, let problem, _, _):
            return [problem, context?.text].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
        case .duplicatedKeysInMapping(let duplicates, _):
            return "key \(duplicates.map(ConfigSection.shown).joined(separator: ", ")) appears twice"
        case .reader(let problem, _, let value, _):
            return problem + (value > 0 ? String(format: " (U+%04X)", value) : "")
        default:
            // The other cases' descriptions span lines and quote the file.
            return "\(error)".split(whereSeparator: \.isNewline).first.map(String.init)?.escapingControlCharacters ?? "unreadable"
        }
    }
}

/// `database:`: the SQLite file (`path`, or `url: sqlite:PATH`) or a PostgreSQL server
/// (`url: postgresql://...`).
public struct DatabaseSettings: Sendable, Equatable {
    public static let defaultPath = "/var/lib/carers-newsletter/newsletter.db"

    /// Absolute path of the SQLite file; for PostgreSQL, where the SQLite file would be, whose
    /// folder holds the link secret unless `links` names another place.
    public var path: String
    /// How long a write waits for another process's lock before giving up.
    public var busyTimeout: TimeInterval
    /// Set when the database is a PostgreSQL server.
    public var postgres: PostgresSettings?

    public init(path: String, busyTimeout: TimeInterval = 10, postgres: PostgresSettings? = nil) {
        self.path = path
        self.busyTimeout = busyTimeout
        self.postgres = postgres
    }

    init(_ section: ConfigSection, relativeTo folder: URL) throws {
        var path = try section.path("path", expected: "the path of the database file")
        if let url = try section.string("url") {
            if url.hasPrefix("sqlite:") {
                guard path == nil else { throw NewsletterError.config("database: give url or path, not both") }
                path = String(url.dropFirst("sqlite:".count))
                guard !(path ?? "").isEmpty else { throw NewsletterError.config("database.url: sqlite: needs a path, as in sqlite:/var/lib/carers-newsletter/newsletter.db") }
            } else if url.hasPrefix("postgresql:") || url.hasPrefix("postgres:") {
                var settings = try PostgresSettings.parse(url)
                settings.password = try PostgresSettings.readPassword(
                    file: try section.path("password_file", expected: "the path of a file holding the database password")
                        .map { ConfigPath.resolve($0, relativeTo: folder) })
                if let count = try section.string("max_connections") {
                    guard let number = Int(count), (1...100).contains(number) else {
                        throw NewsletterError.config("database.max_connections: '\(count)' is not a number from 1 to 100")
                    }
                    settings.maxConnections = number
                }
                postgres = settings
            } else {
                throw NewsletterError.config("database.url: '\(url.prefix(40))' is neither sqlite:PATH nor postgresql://USER@HOST:PORT/DATABASE")
            }
        }
        if postgres == nil, try section.string("password_file") != nil || section.string("max_connections") != nil {
            throw NewsletterError.config("database.password_file and max_connections are for a postgresql:// database.url")
        }
        self.path = ConfigPath.resolve(path ?? Self.defaultPath, relativeTo: folder)
        busyTimeout = try section.duration("busy_timeout", in: 0.1...3600) ?? 10
        try section.finish()
    }

    /// The database as messages name it.
    public var name: String { postgres?.description ?? path }
}

/// Paths in the config are taken from the config file's folder unless absolute, so a config
/// works the same whatever folder a command is run from.
public enum ConfigPath {
    public static func resolve(_ path: String, relativeTo folder: URL) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        if expanded.hasPrefix("/") { return URL(fileURLWithPath: expanded).standardizedFileURL.path }
        return folder.appendingPathComponent(expanded).standardizedFileURL.path
    }
}
