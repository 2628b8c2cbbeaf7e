import Foundation
import NewsletterCore
import NewsletterStore
import NewsletterStoreTestSupport
import NewsletterTestSupport

/// A site, a config using the Maildir transport, and helpers to run newsletterd on them.
final class DaemonFixture: @unchecked Sendable {
    let dir = TemporaryDirectory("daemon")
    let config: String
    /// Set when the fixture's database is a new one in the test PostgreSQL cluster.
    let postgres: PostgresSettings?

    init(extraConfig: String = "", backend: TestDatabase.Backend = .sqlite, postgres given: PostgresSettings? = nil) throws {
        postgres = try given ?? (backend == .postgresql ? PostgresTestCluster.newDatabase() : nil)
        let database = postgres.map { "  url: \(PostgresTestCluster.url($0))" } ?? "  path: data/newsletter.db"
        try dir.write("site/advocacy/advocacy-services.md", """
            ---
            title: Advocacy services
            description: How an independent advocate can help you have your say.
            ---
            An advocate helps you put your views forward.

            This information was last updated on 05/05/2022
            """)
        try dir.write("site/money/grants.txt", "Small grants for carers\n\nGrants of up to £300 for a break.\n\nLast updated: 3 March 2024\n")
        config = try dir.write("newsletter.yaml", """
            database:
            \(database)
            site:
              name: Peak District Carers
              base_url: https://carers.example.org
              content_dir: site
            content:
              debounce: 200ms
            mail:
              from: "Peak District Carers <news@carers.example.org>"
              transport: maildir
              maildir: Maildir
            http:
              public_url: https://carers.example.org/newsletter
            templates:
              dir: \(RepositoryPaths.templates)
            blog:
              window: 0s

            """ + extraConfig)
    }

    func ctl(_ arguments: String...) async throws -> CommandResult {
        try await Binaries.run("newsletterctl", arguments + ["--config", config])
    }

    func store() throws -> Store {
        try Store.open(DatabaseSettings(path: dir.path("data/newsletter.db"), postgres: postgres))
    }

    /// Files delivered to the Maildir's new/ folder.
    func delivered() -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: dir.path("Maildir/new")))?.sorted() ?? []
    }

    /// Checks `condition` until it holds or `timeout` passes; the wait suspends the task.
    func wait(_ timeout: TimeInterval = 60, for condition: () throws -> Bool) async rethrows -> Bool {
        try await waitUntil(timeout: timeout, condition)
    }

    func wait(_ timeout: TimeInterval = 60, for condition: () async throws -> Bool) async rethrows -> Bool {
        try await waitUntil(timeout: timeout, condition)
    }
}
