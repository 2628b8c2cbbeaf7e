import NewsletterCore

/// Who is asking: the connected peer, or, when the peer is a trusted reverse proxy, the
/// address the proxy says it forwarded for.
///
/// X-Forwarded-For lists each hop's client, the nearest last. Only entries added by trusted
/// proxies can be believed, so the list is read from the right, skipping trusted proxies;
/// the first address that is not one is the client. Anything a client wrote further left
/// is ignored, so a client cannot choose its own address.
///
/// It fails closed: a trusted proxy that sends no X-Forwarded-For, or a hop that cannot be
/// read, gives an unknown client, never the proxy's own (loopback) address. An unknown client
/// is never trusted, never loopback (no /metrics) and is rate-limited in a bucket of its own.
public struct ClientAddressRule: Sendable {
    public let trustedProxies: [IPAddressRange]

    public init(trustedProxies: [IPAddressRange]) {
        self.trustedProxies = trustedProxies
    }

    public func isTrusted(_ address: String) -> Bool {
        trustedProxies.contains { $0.contains(address) }
    }

    /// The client's address given the peer's and the X-Forwarded-For values; nil when it
    /// cannot be known (no peer, a trusted proxy that said nothing, an unreadable hop).
    public func client(peer: String?, forwardedFor: [String]) -> String? {
        guard let peer = peer.flatMap(IPAddressRange.normalized) else { return nil }
        guard isTrusted(peer) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }.map { String($0).trimmingSpaces }
        var client: String?
        for hop in hops.reversed() {
            guard let address = Self.address(inHop: hop) else { return nil }
            client = address
            if !isTrusted(address) { break }
        }
        return client
    }

    /// The rate-limit bucket for a request. Clients are counted by address, IPv6 ones by
    /// their /64 (one customer's allocation, which they can fill with addresses at will).
    /// Unknown clients are counted per peer: behind one proxy they share one bucket of their
    /// own, so a proxy that drops the header cannot spend the real clients' allowance, and
    /// two proxies do not spend each other's.
    public static func rateLimitKey(client: String?, peer: String?) -> String {
        guard let client else { return "unknown via " + (peer.flatMap(IPAddressRange.normalized) ?? "none") }
        return IPAddressRange.network(of: client, ipv6Prefix: 64) ?? client
    }

    /// The address one X-Forwarded-For entry carries: `198.51.100.7`, `2001:db8::1`, and the
    /// forms some proxies write with a port, `198.51.100.7:4711` and `[2001:db8::1]:4711`.
    static func address(inHop hop: String) -> String? {
        guard !hop.isEmpty, hop.utf8.count <= 64 else { return nil }
        if let plain = IPAddressRange.normalized(hop), !hop.hasPrefix("[") { return plain }
        if hop.hasPrefix("[") {
            guard let close = hop.firstIndex(of: "]") else { return nil }
            let rest = hop[hop.index(after: close)...]
            guard rest.isEmpty || (rest.hasPrefix(":") && isPort(rest.dropFirst())) else { return nil }
            let inside = String(hop[hop.index(after: hop.startIndex)..<close])
            guard inside.contains(":") else { return nil }
            return IPAddressRange.normalized(inside)
        }
        // IPv4 with a port: exactly one colon (a bare IPv6 address has several).
        let parts = hop.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, isPort(parts[1]), !parts[0].contains("%") else { return nil }
        guard let address = IPAddressRange.normalized(String(parts[0])), !address.contains(":") else { return nil }
        return address
    }

    private static func isPort(_ text: Substring) -> Bool {
        !text.isEmpty && text.count <= 5 && text.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } && Int(text).map { $0 <= 65535 } ?? false
    }
}
