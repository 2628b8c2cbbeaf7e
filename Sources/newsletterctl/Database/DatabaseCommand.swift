import ArgumentParser
import CommandSupport
import Foundation
import NewsletterCore
import NewsletterStore

struct DatabaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "database",
        abstract: "Move the installation to another database.",
        subcommands: [CopyDatabase.self])
}

struct CopyDatabase: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy everything in the database in use into an empty PostgreSQL database.",
        discussion: """
            Subscribers, the consent log, the suppression list, pages, events, digests, the \
            outbox and the link secrets are copied in one transaction, with their ids, and each \
            table's row count is checked before it commits: the target ends up with all of it or \
            none. The target must be empty (a new database made with createdb); its tables are \
            made here. Stop newsletterd first. Afterwards, set database.url to the new database \
            (and database.password_file) and start newsletterd again. The old database is left \
            as it was.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("to"), help: ArgumentHelp("The new database.", valueName: "postgresql://USER@HOST:PORT/DATABASE"))
    var target: String

    @Option(help: ArgumentHelp("A file holding the new database's password (else $CREDENTIALS_DIRECTORY/db-password).", valueName: "file"))
    var passwordFile: String?

    func run() throws {
        let settings = try global.settings()
        guard target.hasPrefix("postgresql:") || target.hasPrefix("postgres:") else {
            throw NewsletterError.usage("--to must be a postgresql://USER@HOST:PORT/DATABASE URL")
        }
        var postgres = try PostgresSettings.parse(target, key: "--to")
        postgres.password = try PostgresSettings.readPassword(file: passwordFile)
        let source = try Store.open(settings.database)
        let destination = try Store.open(DatabaseSettings(path: settings.database.path, postgres: postgres))
        let report = try StoreCopy.copy(from: source, settings: settings.database, to: destination)
        let output = StandardOutput.shared
        output.line("Copied \(settings.database.name) to \(postgres.description):")
        for (table, count) in report.rows where count > 0 { output.line("  \(table): \(count)") }
        output.line("  link secrets: \(report.linkSecrets)")
        output.line("Every table's count matches. Set database.url to \(postgres.description) and start newsletterd.")
    }
}
