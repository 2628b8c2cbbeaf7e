import Foundation
import GRDB
import NewsletterCore
import NewsletterStoreTestSupport
import NewsletterTestSupport

/// A site, a subscriber list and a config sending over SMTP to a scripted server on loopback,
/// with helpers to start, kill and restart newsletterd against it.
final class ReliabilityFixture: @unchecked Sendable {
    let dir = TemporaryDirectory("reliability")
    let config: String
    let databasePath: String

    /// Set when the database is PostgreSQL (`database.url`) instead of the SQLite file.
    let postgres: PostgresSettings?

    init(smtpPort: Int, connections: Int = 2, databaseFolder: String? = nil, postgres: PostgresSettings? = nil, extra: String = "") throws {
        self.postgres = postgres
        try dir.write("site/advocacy/services.md", "---\ntitle: Advocacy services\n---\nThis information was last updated on 05/05/2022\n")
        try dir.write("site/money/grants.md", "---\ntitle: Small grants\n---\nLast updated: 3 March 2024\n")
        databasePath = (databaseFolder ?? dir.path("data")) + "/newsletter.db"
        config = try dir.write("newsletter.yaml", """
            database:
            \(postgres.map { "  url: \(PostgresTestCluster.url($0))" } ?? "  path: \(databasePath)")
              busy_timeout: 30s
            site:
              name: Peak District Carers
              base_url: https://carers.example.org
              content_dir: site
            mail:
              from: "Peak District Carers <news@carers.example.org>"
            http:
              public_url: https://carers.example.org/newsletter
            templates:
              dir: \(RepositoryPaths.templates)
            smtp:
              url: smtp://127.0.0.1:\(smtpPort)
              tls: none
              connections: \(connections)
              command_timeout: 1s
            delivery:
              retry_initial: 1s
              retry_max: 2s

            """ + extra)
    }

    func ctl(_ arguments: String...) async throws -> CommandResult {
        try await Binaries.run("newsletterctl", arguments + ["--config", config])
    }

    /// `count` weekly subscribers taking every topic, imported in one go; `address` names them.
    func subscribe(_ count: Int, address: (Int) -> String = { "carer\($0)@example.org" }) async throws {
        let csv = "email,name\n" + (0..<count).map { "\(address($0)),Carer \($0)\n" }.joined()
        let result = try await ctl("subscribers", "import", try dir.write("people.csv", csv))
        guard result.status == 0 else { throw TestSetupError("import failed: \(result)") }
    }

    /// Records the baseline, then moves both pages' dates forward: two events for the digests.
    func editSite() async throws {
        guard try await ctl("content", "scan").status == 0 else { throw TestSetupError("baseline scan failed") }
        // Past the second of the baseline's modification times, so the edit is seen as one.
        try await Task.sleep(nanoseconds: 1_100_000_000)
        for (path, old, new) in [("site/advocacy/services.md", "05/05/2022", "20/11/2026"), ("site/money/grants.md", "3 March 2024", "19 November 2026")] {
            let file = dir.path(path)
            try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(of: old, with: new).write(toFile: file, atomically: true, encoding: .utf8)
        }
    }

    func startDaemon() throws -> RunningProcess {
        try Binaries.start("newsletterd", ["--config", config, "--log-level", "warning"])
    }

    /// Reads the daemon's database on a thread of its own: SQLite may wait on its busy
    /// timeout while newsletterd writes, and that wait must not hold a pool thread.
    func read<T>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> sending T {
        let path = databasePath
        return try await offPool {
            let queue = try DatabaseQueue(path: path)
            defer { try? queue.close() }
            return try queue.read(body)
        }
    }

    /// The first column of the first row of `sql`, through the store: for checks that run on
    /// either backend.
    func count(_ sql: String) async throws -> Int {
        try await offPool { [self] in try store().read { tx in try Int.fetchOne(tx.db, sql: sql) ?? 0 } }
    }

    /// The first column of every row of `sql`, as text.
    func texts(_ sql: String) async throws -> [String] {
        try await offPool { [self] in try store().read { tx in try String.fetchAll(tx.db, sql: sql) } }
    }

    private let opened = NSLock()
    private var openedStore: Store?

    /// One store for the checks, opened when first needed (after the daemons made the schema).
    private func store() throws -> Store {
        opened.lock()
        defer { opened.unlock() }
        if let openedStore { return openedStore }
        let store = try Store.open(DatabaseSettings(path: databasePath, postgres: postgres))
        openedStore = store
        return store
    }

    func integrityCheck() async throws -> String {
        try await read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "" }
    }

    /// Messages still to go: queued, being sent, or waiting for a retry.
    func unsent() async throws -> Int {
        try await read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE state IN ('queued', 'sending', 'deferred')") ?? 0 }
    }
}

/// Recipients' counts from a scripted server's log.
func receivedCounts(_ server: ScriptedSMTPServer) -> [String: Int] {
    var counts: [String: Int] = [:]
    for event in server.events("message") {
        for recipient in event["to"] as? [String] ?? [] { counts[recipient, default: 0] += 1 }
    }
    return counts
}
