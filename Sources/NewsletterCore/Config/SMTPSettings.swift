import Foundation

/// `smtp:`: the relay messages go through when `mail.transport` is smtp.
///
/// The password is never in the YAML: it is read from `password_file`, or from
/// `$CREDENTIALS_DIRECTORY/smtp-password` (systemd's `LoadCredential=`), when the message is
/// about to be sent.
public struct SMTPSettings: Sendable, Equatable {
    /// How the connection is protected.
    public enum TLSMode: String, Sendable, CaseIterable {
        /// Plain connection upgraded with STARTTLS, which the server must offer (submission, port 587).
        case starttls
        /// TLS from the first byte (`smtps://`, port 465).
        case tls
        /// No encryption: accepted only for a relay on a loopback address.
        case none
    }

    /// The relay, e.g. `smtp://mail.example.org:587`; nil until configured.
    public var url: SMTPURL?
    public var tls: TLSMode
    /// The EHLO name; nil means the domain of `mail.from`.
    public var helo: String?
    /// A PEM file of CA certificates to trust instead of the system's (absolute).
    public var caFile: String?
    public var username: String?
    /// Where the password is (absolute); nil means `$CREDENTIALS_DIRECTORY/smtp-password`.
    public var passwordFile: String?
    /// Parallel connections to the relay.
    public var connections: Int
    /// Messages per second across all connections; 0 means no limit.
    public var maxPerSecond: Int
    /// Messages per rolling hour across all connections; 0 means no limit.
    public var maxPerHour: Int
    /// Messages per rolling 24 hours; 0 means no limit (Microsoft 365 allows 10,000
    /// recipients a day per mailbox).
    public var maxPerDay: Int = 0
    public var connectTimeout: TimeInterval
    /// How long to wait for any one reply from the server.
    public var commandTimeout: TimeInterval
    /// How long one whole message (connecting included) may take.
    public var messageTimeout: TimeInterval

    public init(
        url: SMTPURL? = nil, tls: TLSMode? = nil, helo: String? = nil, caFile: String? = nil, username: String? = nil,
        passwordFile: String? = nil, connections: Int = 4, maxPerSecond: Int = 0, maxPerHour: Int = 0,
        connectTimeout: TimeInterval = 30, commandTimeout: TimeInterval = 120, messageTimeout: TimeInterval = 600
    ) {
        self.url = url
        self.tls = tls ?? (url?.scheme == .smtps ? .tls : .starttls)
        self.helo = helo
        self.caFile = caFile
        self.username = username
        self.passwordFile = passwordFile
        self.connections = connections
        self.maxPerSecond = maxPerSecond
        self.maxPerHour = maxPerHour
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.messageTimeout = messageTimeout
    }

    init(_ section: ConfigSection, relativeTo folder: URL) throws {
        self.init()
        if let text = try section.nonEmptyString("url", expected: "an address such as smtp://mail.example.org:587") {
            do {
                url = try SMTPURL(parsing: text)
            } catch let error as NewsletterError {
                throw section.failure("url", error.message)
            }
        }
        let tls: TLSMode? = try section.choice("tls")
        self.tls = tls ?? (url?.scheme == .smtps ? .tls : .starttls)
        if let url {
            switch (url.scheme, self.tls) {
            case (.smtps, .starttls), (.smtps, .none):
                throw section.failure("tls", "an smtps:// address always uses TLS; set tls: tls, or use smtp:// for \(self.tls.rawValue)")
            case (.smtp, .tls):
                throw section.failure("tls", "tls (implicit TLS) needs an smtps:// address, usually port 465; use starttls for smtp://")
            case (.smtp, .none) where !url.isLoopback:
                throw section.failure(
                    "tls", "none is accepted only for a relay on this machine (127.0.0.1, ::1 or localhost), not \(url.host.quotedForDisplay)")
            default: break
            }
        }
        if let helo = try section.nonEmptyString("helo", expected: "a host name such as mail.example.org") {
            guard SMTPURL.isHostName(helo) else {
                throw section.failure("helo", expected: "a host name such as mail.example.org", found: helo.quotedForDisplay)
            }
            self.helo = helo
        }
        caFile = try section.path("ca_file", expected: "the path of a PEM file").map { ConfigPath.resolve($0, relativeTo: folder) }
        if let username = try section.nonEmptyString("username") {
            if username.hasLineBreakOrControl {
                throw section.failure("username", expected: "one line of text", found: username.quotedForDisplay)
            }
            self.username = username
        }
        passwordFile = try section.path("password_file", expected: "the path of a file holding the password")
            .map { ConfigPath.resolve($0, relativeTo: folder) }
        if passwordFile != nil && username == nil {
            throw section.failure("password_file", "is set but smtp.username is not; set both, or neither")
        }
        if section.contains("password") {
            throw section.failure(
                "password", "the password is never kept in this file; put it in a file readable only by the service and name it in smtp.password_file")
        }
        connections = try section.int("connections", in: 1...64) ?? 4
        maxPerSecond = try section.int("max_per_second", in: 0...1_000_000) ?? 0
        maxPerHour = try section.int("max_per_hour", in: 0...100_000_000) ?? 0
        maxPerDay = try section.int("max_per_day", in: 0...1_000_000_000) ?? 0
        connectTimeout = try section.duration("connect_timeout", in: 1...3600) ?? 30
        commandTimeout = try section.duration("command_timeout", in: 1...3600) ?? 120
        messageTimeout = try section.duration("message_timeout", in: 1...86400) ?? 600
        try section.finish()
    }
}

/// An `smtp://` or `smtps://` relay address, checked.
public struct SMTPURL: Sendable, Equatable, CustomStringConvertible {
    public enum Scheme: String, Sendable {
        case smtp, smtps
    }

    public var scheme: Scheme
    /// A host name, an IPv4 address, or an IPv6 address without brackets.
    public var host: String
    public var port: Int

    public init(scheme: Scheme, host: String, port: Int? = nil) {
        self.scheme = scheme
        self.host = host
        self.port = port ?? (scheme == .smtps ? 465 : 587)
    }

    /// Parses `smtp://host[:port]` or `smtps://host[:port]`; the port defaults to 587 or 465.
    /// User names and passwords in the address are refused: they belong in their own keys.
    public init(parsing text: String) throws {
        let trimmed = text.trimmingSpaces
        if trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == " " }) {
            throw NewsletterError.badData("expected an address such as smtp://mail.example.org:587, found \(text.quotedForDisplay)")
        }
        guard let components = URLComponents(string: trimmed), let schemeText = components.scheme?.lowercased(),
            let scheme = Scheme(rawValue: schemeText)
        else {
            throw NewsletterError.badData("expected an address starting smtp:// or smtps://, found \(text.quotedForDisplay)")
        }
        if components.user != nil || components.password != nil {
            throw NewsletterError.badData(
                "the address must not hold a user name or password; use smtp.username and smtp.password_file")
        }
        guard var host = components.host, !host.isEmpty else {
            throw NewsletterError.badData("\(text.quotedForDisplay) names no host")
        }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard Self.isHostName(host) || Self.isIPAddress(host) else {
            throw NewsletterError.badData("\(host.quotedForDisplay) is not a host name or IP address")
        }
        if !(components.path.isEmpty || components.path == "/") || components.query != nil || components.fragment != nil {
            throw NewsletterError.badData("give only smtp://host:port (the EHLO name goes in smtp.helo), found \(text.quotedForDisplay)")
        }
        if let port = components.port, !(1...65535).contains(port) {
            throw NewsletterError.badData("port \(port) is out of range")
        }
        self.init(scheme: scheme, host: host.lowercased(), port: components.port)
    }

    /// Whether the host is this machine: 127.0.0.0/8, ::1 or localhost.
    public var isLoopback: Bool {
        if host == "localhost" || host.hasSuffix(".localhost") || host == "::1" { return true }
        var address = in_addr()
        return inet_pton(AF_INET, host, &address) == 1 && (UInt32(bigEndian: address.s_addr) >> 24) == 127
    }

    /// The host as it goes in a URL: IPv6 addresses in brackets.
    public var urlHost: String { host.contains(":") ? "[\(host)]" : host }

    public var description: String { "\(scheme.rawValue)://\(urlHost):\(port)" }

    /// Letter-digit-hyphen labels separated by dots.
    public static func isHostName(_ text: String) -> Bool {
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        guard text.utf8.count <= 253, !labels.isEmpty else { return false }
        return labels.allSatisfy { label in
            !label.isEmpty && label.utf8.count <= 63 && label.first != "-" && label.last != "-"
                && label.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-") }
        }
    }

    static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
}

/// `delivery:`: how long messages are retried and kept, and when an address counts as bounced.
public struct DeliverySettings: Sendable, Equatable {
    /// Days a sent message's body is kept (so it can be looked at) before it is pruned.
    public var keepSentDays: Int
    /// A message still failing temporarily this long after it was queued is marked failed.
    public var maxAge: TimeInterval
    /// The first retry's delay; each later one doubles it, up to `retryMax`.
    public var retryInitial: TimeInterval
    public var retryMax: TimeInterval
    /// Permanent failures in a row after which a subscriber is marked bounced; 0 turns it off.
    public var bounceLimit: Int

    public init(
        keepSentDays: Int = 7, maxAge: TimeInterval = 3 * 86400, retryInitial: TimeInterval = 60, retryMax: TimeInterval = 3600,
        bounceLimit: Int = 3
    ) {
        self.keepSentDays = keepSentDays
        self.maxAge = maxAge
        self.retryInitial = retryInitial
        self.retryMax = retryMax
        self.bounceLimit = bounceLimit
    }

    init(_ section: ConfigSection) throws {
        self.init()
        keepSentDays = try section.int("keep_sent_days", in: 0...3650) ?? 7
        maxAge = try section.duration("max_age", in: 60...(365 * 86400)) ?? 3 * 86400
        retryInitial = try section.duration("retry_initial", in: 1...86400) ?? 60
        retryMax = try section.duration("retry_max", in: 1...(7 * 86400)) ?? 3600
        if retryMax < retryInitial {
            throw section.failure("retry_max", "must not be shorter than delivery.retry_initial (\(ConfigDuration.format(retryInitial)))")
        }
        bounceLimit = try section.int("bounce_limit", in: 0...1000) ?? 3
        try section.finish()
    }
}
