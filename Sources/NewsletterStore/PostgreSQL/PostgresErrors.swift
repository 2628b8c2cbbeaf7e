import Foundation
import NIOCore
import NIOSSL
import NewsletterCore
import PostgresNIO

/// PostgreSQL's failures as the store reports them: one line naming the database and what to
/// do, a ``StoreFailure`` for what passes (a lock or serialization conflict, a full disk, a
/// lost connection), and a ``NewsletterError`` with a fitting exit status for the rest.
/// The password is never part of a message.
enum PostgresErrors {
    static func translate(_ error: any Error, settings: PostgresSettings) -> any Error {
        if error is NewsletterError || error is StoreFailure { return error }
        let name = settings.description
        if error is PGConnectionLost { return lostConnection(name) }
        guard let error = error as? PSQLError else {
            // The caller's own errors pass through untouched; only the driver's are translated.
            guard error is IOError || error is ChannelError || error is NIOSSLError || error is PostgresDecodingError else {
                return error
            }
            if let channel = error as? ChannelError, case .connectTimeout = channel {
                return NewsletterError.unavailable("cannot connect to \(name): no answer within 10 s; check that the server runs and database.url")
            }
            if let socket = error as? IOError {
                return NewsletterError.unavailable(
                    "cannot connect to \(name): \(String(cString: strerror(socket.errnoCode))); check that the server runs and database.url")
            }
            if error is NIOSSLError {
                return NewsletterError.unavailable("cannot connect to \(name): TLS failed (\(Self.oneLine("\(error)"))); check sslmode and sslrootcert")
            }
            return NewsletterError.unavailable("cannot connect to \(name): \(Self.oneLine("\(error)"))")
        }
        let state = error.serverInfo?[.sqlState] ?? ""
        let message = Self.oneLine(error.serverInfo?[.message] ?? "\(error.code)")
        switch error.code {
        case .server:
            break
        case .connectionError:
            let underlying = error.underlying.map { "\($0)" } ?? ""
            if let tls = Self.tlsProblem(underlying, settings: settings) {
                return NewsletterError.unavailable("cannot connect to \(name): \(tls); check sslmode and sslrootcert in database.url")
            }
            let reason = error.underlying.map { Self.reason($0) } ?? "connection failed"
            return NewsletterError.unavailable("cannot connect to \(name): \(reason); check that the server runs and database.url")
        case .sslUnsupported:
            return NewsletterError.unavailable("\(name) does not offer TLS, which sslmode=\(settings.tls.rawValue) requires")
        case .failedToAddSSLHandler, .receivedUnencryptedDataAfterSSLRequest:
            return NewsletterError.unavailable("cannot connect to \(name): TLS failed; check sslmode and sslrootcert")
        case .authMechanismRequiresPassword:
            return NewsletterError.config(
                "\(name) asks for a password and none was given; put it in database.password_file or the systemd credential db-password")
        case .unsupportedAuthMechanism, .saslError:
            return NewsletterError.config("\(name) refused the login (\(error.code)); check the user and database.password_file")
        case .serverClosedConnection, .clientClosedConnection, .uncleanShutdown:
            return lostConnection(name)
        default:
            return NewsletterError.internalError("database \(name): \(error.code)")
        }
        switch state {
        case "28P01", "28000":
            return NewsletterError.config("\(name) refused the login: \(message); check the user and database.password_file")
        case "3D000":
            return NewsletterError.config("\(message) on \(settings.host); create it (createdb) or correct database.url")
        case "42501":
            return NewsletterError.cantCreate("database \(name): \(message); grant the user rights on the database")
        case "53100":
            return StoreFailure(.full, "database \(name): the server's disk is full; nothing was changed; free some space and try again")
        case "53300", "57P03":
            return StoreFailure(.busy, "database \(name) takes no more connections now (\(message)); try again")
        case "40001", "40P01", "55P03", "57014":
            return StoreFailure(.busy, "database \(name): \(message); nothing was changed; try again")
        case _ where state.hasPrefix("08") || state.hasPrefix("57P"):
            return lostConnection(name, because: message)
        default:
            return NewsletterError.internalError("database \(name): \(message) (SQLSTATE \(state))")
        }
    }

    private static func lostConnection(_ name: String, because detail: String? = nil) -> StoreFailure {
        StoreFailure(.busy, "lost the connection to \(name)\(detail.map { " (\($0))" } ?? ""); nothing was changed; try again")
    }

    private static func reason(_ error: any Error) -> String {
        if let socket = error as? IOError { return String(cString: strerror(socket.errnoCode)) }
        if let channel = error as? ChannelError, case .connectTimeout = channel { return "no answer within 10 s" }
        let text = "\(error)"
        // NIO's connection errors wrap the socket's: say what the socket said.
        for known in ["Connection refused", "No route to host", "Network is unreachable", "Connection timed out", "Name or service not known"]
        where text.contains(known) {
            return known.prefix(1) + known.dropFirst().lowercased()
        }
        return String(oneLine(text).prefix(200))
    }

    /// What went wrong with TLS, in words, when it was TLS.
    private static func tlsProblem(_ text: String, settings: PostgresSettings) -> String? {
        if text.contains("CERTIFICATE_VERIFY_FAILED") {
            return "the server's certificate is not signed by a CA trusted here"
                + (settings.rootCertificate.map { " (sslrootcert \($0))" } ?? " (the system's CAs; give sslrootcert)")
        }
        if text.contains("failedToValidateHostname") {
            return "the server's certificate does not name \(settings.host)"
        }
        if text.contains("SSL") || text.contains("TLS") || text.contains("handshake") {
            return "TLS failed (\(String(oneLine(text).prefix(160))))"
        }
        return nil
    }

    static func oneLine(_ text: String) -> String {
        String(text.split(whereSeparator: \.isNewline).first ?? "").escapingControlCharacters
    }
}
