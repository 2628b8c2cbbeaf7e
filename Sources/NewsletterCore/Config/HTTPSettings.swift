import Foundation

/// `http:`: newsletterd's public pages (sign-up, confirm, unsubscribe, preferences) and the
/// address that links in emails point to.
public struct HTTPSettings: Sendable, Equatable {
    /// The address the reverse proxy exposes, e.g. https://carers.example.org/newsletter.
    public var publicURL: URL?
    /// Where newsletterd's web server listens; nil leaves it off.
    public var listen: ListenAddress?
    /// Where `/metrics` is served, apart from the public pages; nil serves it on `listen`, to
    /// loopback clients only.
    public var metricsListen: ListenAddress?
    /// Where a sign-up goes after the form is sent, instead of the "check your inbox" page.
    /// Always on the configured site (checked at load).
    public var afterSubscribeURL: URL?
    /// Peers whose X-Forwarded-For is believed: the reverse proxy in front of newsletterd.
    public var trustedProxies: [IPAddressRange]
    /// The consent wording the sign-up form shows, recorded with each web sign-up.
    public var consentWording: String
    public var rateLimit: RateLimitSettings
    /// A connection with no request in progress for this long is closed (`http.idle_timeout`),
    /// so idle or trickling sockets cannot hold the daemon's file descriptors.
    public var idleTimeout: TimeInterval = Self.defaultIdleTimeout
    /// Connections each listener holds open at once (`http.max_connections`); more wait in
    /// the kernel's queue until one closes. Kept well inside the unit's `LimitNOFILE=`.
    public var maxConnections: Int = Self.defaultMaxConnections

    public static let defaultIdleTimeout: TimeInterval = 30
    public static let defaultMaxConnections = 256
    public static let defaultTrustedProxies = ["127.0.0.1", "::1"]

    public static func defaultConsentWording(siteName: String) -> String {
        "Yes, please email me updates from \(siteName). I can unsubscribe at any time."
    }

    public init(
        publicURL: URL? = nil, listen: ListenAddress? = nil, metricsListen: ListenAddress? = nil, afterSubscribeURL: URL? = nil,
        trustedProxies: [IPAddressRange] = defaultTrustedProxies.compactMap { IPAddressRange($0) },
        consentWording: String = defaultConsentWording(siteName: SiteSettings().name), rateLimit: RateLimitSettings = RateLimitSettings()
    ) {
        self.publicURL = publicURL
        self.listen = listen
        self.metricsListen = metricsListen
        self.afterSubscribeURL = afterSubscribeURL
        self.trustedProxies = trustedProxies
        self.consentWording = consentWording
        self.rateLimit = rateLimit
    }

    init(_ section: ConfigSection, site: SiteSettings) throws {
        publicURL = try section.webURL("public_url")
        listen = try section.listenAddress("listen")
        metricsListen = try section.listenAddress("metrics_listen")
        if let listen, let metricsListen, listen == metricsListen, listen.port != 0 {
            throw section.failure("metrics_listen", "must differ from http.listen (\(listen)); leave it out to serve /metrics on http.listen to loopback clients")
        }
        afterSubscribeURL = try section.redirectURL("after_subscribe_url")
        if let target = afterSubscribeURL {
            let allowed = [site.baseURL, publicURL].compactMap { $0 }
            guard allowed.contains(where: { Self.sameOrigin($0, target) }) else {
                throw section.failure(
                    "after_subscribe_url",
                    "\(target.absoluteString.quotedForDisplay) is not on the configured site; it must start with site.base_url or http.public_url")
            }
        }
        let proxies = try section.strings("trusted_proxies") ?? Self.defaultTrustedProxies
        trustedProxies = try proxies.map { text in
            guard let range = IPAddressRange(text) else {
                throw section.failure("trusted_proxies", expected: "IP addresses or ranges such as 127.0.0.1, ::1 or 10.0.0.0/8", found: text.quotedForDisplay)
            }
            return range
        }
        if let wording = try section.nonEmptyString("consent_wording", expected: "the consent sentence the sign-up form shows") {
            consentWording = try section.singleLine("consent_wording", wording.trimmingSpaces)
        } else {
            consentWording = Self.defaultConsentWording(siteName: site.name)
        }
        rateLimit = try RateLimitSettings(try section.section("rate_limit"))
        idleTimeout = try section.duration("idle_timeout", in: 0.1...3600) ?? Self.defaultIdleTimeout
        maxConnections = try section.int("max_connections", in: 1...10_000) ?? Self.defaultMaxConnections
        try section.finish()
    }

    /// Same scheme, host and port.
    public static func sameOrigin(_ a: URL, _ b: URL) -> Bool {
        a.scheme?.lowercased() == b.scheme?.lowercased() && a.host?.lowercased() == b.host?.lowercased()
            && (a.port ?? defaultPort(a)) == (b.port ?? defaultPort(b))
    }

    private static func defaultPort(_ url: URL) -> Int {
        url.scheme?.lowercased() == "https" ? 443 : 80
    }
}

/// `http.rate_limit:`: how many sign-ups the form takes.
public struct RateLimitSettings: Sendable, Equatable {
    /// Sign-ups from one client address within `window`; more get "try again later" (429).
    public var perAddress: Int
    /// Sign-ups for one email address within `window`; more are answered as usual but send
    /// no further email, so nobody can flood someone's inbox with confirmations.
    public var perEmail: Int
    public var window: TimeInterval

    public init(perAddress: Int = 10, perEmail: Int = 3, window: TimeInterval = 3600) {
        self.perAddress = perAddress
        self.perEmail = perEmail
        self.window = window
    }

    init(_ section: ConfigSection) throws {
        perAddress = try section.int("per_address", in: 1...100_000) ?? 10
        perEmail = try section.int("per_email", in: 1...1000) ?? 3
        window = try section.duration("window", in: 1...(7 * 86400)) ?? 3600
        try section.finish()
    }
}

/// A host and port to listen on: `127.0.0.1:8025`, `[::1]:8025`, `localhost:8025`. Port 0
/// lets the system choose (tests).
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port`; nil when it is not one.
    public init?(parsing text: String) {
        let text = text.trimmingSpaces
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
            guard IPAddressRange(String(host)) != nil, !host.contains("/") else { return nil }
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            guard !host.isEmpty, !host.contains(":"),
                host.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2E || $0 == 0x2D })
            else { return nil }
        }
        guard !portText.isEmpty, portText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), portText.count <= 5, let port = Int(portText), port <= 65535
        else { return nil }
        self.host = String(host)
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

extension ConfigSection {
    func listenAddress(_ key: String) throws -> ListenAddress? {
        guard let text = try nonEmptyString(key, expected: "a host and port such as 127.0.0.1:8025") else { return nil }
        guard let address = ListenAddress(parsing: text) else {
            throw failure(key, expected: "a host and port such as 127.0.0.1:8025 or [::1]:8025", found: text.quotedForDisplay)
        }
        return address
    }

    /// An absolute http or https URL kept as written (a redirect target may need its
    /// trailing slash or query).
    func redirectURL(_ key: String) throws -> URL? {
        guard let text = try nonEmptyString(key, expected: "an http or https address") else { return nil }
        let trimmed = text.trimmingSpaces
        guard !trimmed.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control }),
            let url = URL(string: trimmed), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty
        else {
            throw failure(key, expected: "an http or https address such as https://carers.example.org/thank-you", found: text.quotedForDisplay)
        }
        return url
    }
}
