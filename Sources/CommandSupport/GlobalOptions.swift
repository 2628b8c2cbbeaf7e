import ArgumentParser
import NewsletterCore
import NewsletterStore

/// `--config PATH`, which every command takes.
public struct GlobalOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The YAML config file.",
            discussion: "Without it: $NEWSLETTER_CONFIG, then /etc/carers-newsletter/newsletter.yaml.",
            valueName: "path"))
    public var config: String?

    public init() {}

    public var location: ConfigLocation { ConfigLocation(flag: config) }

    public func settings() throws -> Settings {
        try Settings.load(from: location)
    }

    /// The settings and the opened, migrated store.
    public func open() throws -> (Settings, Store) {
        let settings = try settings()
        return (settings, try Store.open(settings.database))
    }
}

/// Output formats, each a word after `--format`.
public enum TextFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text, json
}

public enum ListFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case table, json, csv
}

public enum ExportFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case csv, json
}
