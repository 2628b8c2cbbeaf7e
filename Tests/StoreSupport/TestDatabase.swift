import Foundation
import NewsletterCore
import NewsletterTestSupport

import NewsletterStore

/// The backend store tests run on: SQLite, or with `NEWSLETTER_TEST_STORE=postgresql` the
/// private PostgreSQL cluster `scripts/test-postgres.sh` started for the run, a new database
/// in it for each store. `make test` runs the store suites both ways.
public enum TestDatabase {
    public enum Backend: String, Sendable {
        case sqlite
        case postgresql
    }

    public static var backend: Backend {
        ProcessInfo.processInfo.environment["NEWSLETTER_TEST_STORE"] == "postgresql" ? .postgresql : .sqlite
    }

    /// Settings for a new, empty database: the SQLite file at `path`, or a new PostgreSQL
    /// database (with `path` still naming where the link secret's folder is).
    public static func settings(path: String, busyTimeout: TimeInterval = 10) throws -> DatabaseSettings {
        switch backend {
        case .sqlite:
            return DatabaseSettings(path: path, busyTimeout: busyTimeout)
        case .postgresql:
            // The link secret's folder, which SQLite's file would have made.
            try FileManager.default.createDirectory(
                atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
            return DatabaseSettings(path: path, busyTimeout: busyTimeout, postgres: try PostgresTestCluster.newDatabase())
        }
    }

    /// A store on a new database, as `settings(path:)` describes.
    public static func open(path: String, busyTimeout: TimeInterval = 10) throws -> Store {
        try Store.open(settings(path: path, busyTimeout: busyTimeout))
    }
}

/// The cluster `scripts/test-postgres.sh` runs for the test run.
public enum PostgresTestCluster {
    public static var socketFolder: String? { ProcessInfo.processInfo.environment["NEWSLETTER_TEST_POSTGRES_SOCKET"] }
    public static var port: Int? { ProcessInfo.processInfo.environment["NEWSLETTER_TEST_POSTGRES_PORT"].flatMap { Int($0) } }

    /// The superuser, over the Unix socket, on `database`.
    public static func admin(_ database: String = "postgres") throws -> PostgresSettings {
        guard let socketFolder, let port else {
            throw TestSetupError(
                "no test PostgreSQL: run the tests through 'make test', or as 'scripts/test-postgres.sh run swift test ...'")
        }
        return PostgresSettings(port: port, socketFolder: socketFolder, user: "postgres", database: database, tls: .disable)
    }

    /// A new database (a name of its own) and settings that reach it over the socket.
    public static func newDatabase() throws -> PostgresSettings {
        let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try run("CREATE DATABASE \(name)")
        return try admin(name)
    }

    /// `settings` as a config's database.url.
    public static func url(_ settings: PostgresSettings) -> String {
        "postgresql://\(settings.user)@/\(settings.database)?host=\(settings.socketFolder ?? "")&port=\(settings.port)"
    }

    /// Runs `sql` as the superuser on the `postgres` database.
    public static func run(_ sql: String) throws {
        let connection = try PGConnection.connect(admin())
        defer { connection.close() }
        _ = try connection.query(sql)
    }
}
