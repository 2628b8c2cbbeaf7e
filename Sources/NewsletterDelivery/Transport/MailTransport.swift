import Foundation
import NewsletterCore

/// A way messages leave: SMTP to a relay, or files in a Maildir.
///
/// The transport itself is shared and thread-safe; each ``MailConnection`` it opens is used by
/// one thread at a time and reused for many messages.
public protocol MailTransport: Sendable {
    /// Where messages go, for logs and messages to people: `smtp://relay:587`, `maildir /path`.
    var destination: String { get }
    /// A new connection. Opening may be lazy: failures to reach the server show in the first send's result.
    func connect() throws -> any MailConnection
    /// `slots` connections driven from one thread (see ``MailSession``). The default sends
    /// one message at a time through ``connect()`` connections.
    func openSession(slots: Int) throws -> any MailSession
}

/// One connection to the destination, reused for message after message.
public protocol MailConnection: AnyObject {
    /// Sends one message to one recipient and says how it went. `message` is a complete
    /// RFC 5322 message with CRLF line ends (see ``OutgoingMessage``).
    func send(_ message: OutgoingMessage) -> SendResult
    /// Ends the connection politely (QUIT); the connection is not used again.
    func close()
}

/// What one send came to.
public struct SendResult: Sendable, Equatable, CustomStringConvertible {
    public enum Disposition: String, Sendable {
        /// Accepted by the server (2xx).
        case sent
        /// Try again later: 4xx, timeouts, connection failures.
        case temporary
        /// Refused for good: 5xx.
        case permanent
    }

    public var disposition: Disposition
    /// The SMTP reply code, when the server gave one.
    public var code: Int?
    /// The server's reply line, or what went wrong, in one line.
    public var text: String
    /// The connection itself failed (could not connect, TLS, login, 421, a timeout): the
    /// sender backs this connection off before using it again.
    public var connectionFailed: Bool

    public init(_ disposition: Disposition, code: Int? = nil, text: String, connectionFailed: Bool = false) {
        self.disposition = disposition
        self.code = code
        self.text = text
        self.connectionFailed = connectionFailed
    }

    public var description: String {
        if let code, !text.hasPrefix(String(code)) { return "\(code) \(text)" }
        return text
    }
}
