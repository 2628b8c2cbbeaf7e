import Foundation

/// `database.url: postgresql://USER@HOST:PORT/DB?sslmode=...`: a PostgreSQL server shared by
/// several daemons. The password never sits in the YAML or the URL: it is read from
/// `database.password_file` or systemd's `$CREDENTIALS_DIRECTORY/db-password`.
public struct PostgresSettings: Sendable, Equatable, CustomStringConvertible {
    /// libpq's `sslmode` values. Unlike libpq, `require` verifies the server's certificate
    /// too (against `sslrootcert` or the system's roots): asking for TLS means asking for the
    /// right server. `verify-full` also checks the host name.
    public enum TLSMode: String, Sendable, CaseIterable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    /// The folder of the server's Unix socket (`?host=/run/postgresql`), used instead of TCP.
    public var socketFolder: String?
    public var user: String
    public var database: String
    public var tls: TLSMode
    /// CA certificates (PEM) that sign the server's certificate; nil for the system's roots.
    public var rootCertificate: String?
    public var password: Secret?
    /// Connections each process keeps to the server at most.
    public var maxConnections: Int

    /// The URL without the password, for messages and logs, in a form database.url takes.
    public var description: String {
        guard let socketFolder else { return "postgresql://\(user)@\(host):\(port)/\(database)" }
        // libpq's form for a socket, which database.url takes back as it is.
        return "postgresql://\(user)@/\(database)?host=\(socketFolder)" + (port == 5432 ? "" : "&port=\(port)")
    }

    /// A password, never printed.
    public struct Secret: Sendable, Equatable, CustomStringConvertible {
        public let value: String
        public init(_ value: String) { self.value = value }
        public var description: String { "(secret)" }
    }

    public init(
        host: String = "localhost", port: Int = 5432, socketFolder: String? = nil, user: String, database: String,
        tls: TLSMode = .prefer, rootCertificate: String? = nil, password: Secret? = nil, maxConnections: Int = 5
    ) {
        self.host = host
        self.port = port
        self.socketFolder = socketFolder
        self.user = user
        self.database = database
        self.tls = tls
        self.rootCertificate = rootCertificate
        self.password = password
        self.maxConnections = maxConnections
    }

    /// Parses `url` as the config gives it. `key` names the setting in messages.
    public static func parse(_ url: String, key: String = "database.url") throws -> PostgresSettings {
        func bad(_ problem: String) -> NewsletterError {
            .config("\(key): \(problem); write it as postgresql://USER@HOST:PORT/DATABASE?sslmode=verify-full")
        }
        guard let components = URLComponents(string: url), let scheme = components.scheme,
            ["postgresql", "postgres"].contains(scheme.lowercased())
        else { throw bad("not a postgresql:// URL") }
        if components.password != nil {
            throw NewsletterError.config(
                "\(key) holds a password; remove it from the URL and put it in database.password_file "
                    + "(or the systemd credential db-password)")
        }
        guard let user = components.user.flatMap({ $0.removingPercentEncoding }), !user.isEmpty else {
            throw bad("no user name")
        }
        var settings = PostgresSettings(user: user, database: "")
        let path = components.percentEncodedPath.removingPercentEncoding ?? ""
        settings.database = path.hasPrefix("/") ? String(path.dropFirst()) : path
        guard !settings.database.isEmpty, !settings.database.contains("/") else { throw bad("no database name") }
        if let host = components.host, !host.isEmpty { settings.host = host.removingPercentEncoding ?? host }
        if let port = components.port {
            guard (1...65535).contains(port) else { throw bad("port \(port) is out of range") }
            settings.port = port
        }
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "sslmode":
                guard let mode = TLSMode(rawValue: value) else {
                    throw NewsletterError.config(
                        "\(key): sslmode '\(value)' is not one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                settings.tls = mode
            case "sslrootcert":
                settings.rootCertificate = value
            case "host":
                // libpq's form for a Unix socket: postgresql://user@/db?host=/run/postgresql
                if value.hasPrefix("/") { settings.socketFolder = value } else if !value.isEmpty { settings.host = value }
            case "port":
                guard let port = Int(value), (1...65535).contains(port) else { throw bad("port '\(value)' is not a port number") }
                settings.port = port
            case "password":
                throw NewsletterError.config("\(key) holds a password; put it in database.password_file instead")
            case "application_name", "connect_timeout":
                continue
            default:
                throw bad("unknown parameter '\(item.name)'")
            }
        }
        for value in [settings.user, settings.database, settings.host] where value.contains(where: { $0.isNewline || $0 == "\0" }) {
            throw bad("control characters in the URL")
        }
        return settings
    }

    /// The password from `file`, or else from systemd's credential `db-password`, or none
    /// (trust or peer authentication). A trailing newline is not part of it.
    public static func readPassword(file: String?, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws -> Secret?
    {
        var candidates: [(path: String, key: String)] = []
        if let file { candidates.append((file, "database.password_file")) }
        if let folder = environment["CREDENTIALS_DIRECTORY"], !folder.isEmpty {
            candidates.append((folder + "/db-password", "the systemd credential db-password"))
        }
        for (index, candidate) in candidates.enumerated() {
            guard let data = FileManager.default.contents(atPath: candidate.path) else {
                // The named file must be there; the credential is only looked for.
                if index == 0 && file != nil {
                    let reason = FileManager.default.fileExists(atPath: candidate.path) ? "cannot be read by user \(UnixUser.current)" : "does not exist"
                    throw NewsletterError.config("\(candidate.key) \(candidate.path) \(reason); create it with the database password")
                }
                continue
            }
            var text = String(decoding: data, as: UTF8.self)
            while text.last == "\n" || text.last == "\r" { text.removeLast() }
            guard !text.isEmpty else { throw NewsletterError.config("\(candidate.key) \(candidate.path) is empty") }
            guard !text.contains(where: { $0.isNewline || $0 == "\0" }) else {
                throw NewsletterError.config("\(candidate.key) \(candidate.path) holds more than one line; write only the password")
            }
            return Secret(text)
        }
        return nil
    }
}
