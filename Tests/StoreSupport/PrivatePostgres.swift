import Foundation
import NewsletterCore
import NewsletterTestSupport

/// A PostgreSQL cluster of one test's own (`scripts/test-postgres.sh serve`), for a test that
/// restarts the server: the shared cluster serves other tests meanwhile.
public final class PrivatePostgres: @unchecked Sendable {
    public let socketFolder: String
    public let port: Int
    private let bindir: String
    private let owner: String
    private let process: ChildProcess

    public static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/test-postgres.sh").path
    }

    public init(in dir: TemporaryDirectory) async throws {
        let file = dir.path("private-postgres.env")
        process = ChildProcess(executable: "/bin/bash", arguments: [Self.script, "serve", file])
        try process.run()
        let started = await waitUntil(timeout: 180) { [process] in
            FileManager.default.fileExists(atPath: file) || !process.isRunning
        }
        guard started, let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            kill(process.processIdentifier, SIGTERM)
            throw TestSetupError("the private PostgreSQL cluster did not start")
        }
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { values[parts[0]] = parts[1] }
        }
        guard let socket = values["socket"], let port = values["port"].flatMap({ Int($0) }), let bindir = values["bindir"] else {
            kill(process.processIdentifier, SIGTERM)
            throw TestSetupError("the private PostgreSQL cluster wrote no settings: \(text)")
        }
        socketFolder = socket
        self.port = port
        self.bindir = bindir
        owner = values["owner"] ?? ""
    }

    deinit {
        // The script stops the server and removes its folder on SIGTERM.
        kill(process.processIdentifier, SIGTERM)
    }

    /// The superuser over the socket, on `database`.
    public func settings(_ database: String = "postgres") -> PostgresSettings {
        PostgresSettings(port: port, socketFolder: socketFolder, user: "postgres", database: database, tls: .disable)
    }

    /// Restarts the server: every connection to it is dropped.
    public func restart() async throws {
        let pgctl = ["\(bindir)/pg_ctl", "-D", "\(socketFolder)/data", "-m", "fast", "-w", "-t", "120", "restart", "-l", "\(socketFolder)/server.log"]
        let result = owner.isEmpty
            ? try await Binaries.run(pgctl[0], Array(pgctl.dropFirst()))
            : try await Binaries.run("runuser", ["-u", owner, "--"] + pgctl)
        guard result.status == 0 else { throw TestSetupError("pg_ctl restart failed: \(result)") }
    }
}
