import NewsletterCore

/// Who is asking: the connected peer, or, when the peer is a trusted reverse proxy, the
/// address the proxy says it forwarded for.
///
/// X-Forwarded-For lists each hop's client, the nearest last. Only entries added by trusted
/// proxies can be believed, so the list is read from the right, skipping trusted proxies;
/// the first address that is not one is the client. Anything a client wrote further left
/// is ignored, so a client cannot choose its own address. A malformed entry stops the walk
/// at the last hop that could be checked.
public struct ClientAddressRule: Sendable {
    public let trustedProxies: [IPAddressRange]

    public init(trustedProxies: [IPAddressRange]) {
        self.trustedProxies = trustedProxies
    }

    public func isTrusted(_ address: String) -> Bool {
        trustedProxies.contains { $0.contains(address) }
    }

    /// The client's address given the peer's and the X-Forwarded-For values; nil when the
    /// peer is unknown (an in-process test connection).
    public func client(peer: String?, forwardedFor: [String]) -> String? {
        guard let peer = peer.flatMap(IPAddressRange.normalized) else { return nil }
        guard isTrusted(peer), !forwardedFor.isEmpty else { return peer }
        var client = peer
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { String($0).trimmingSpaces }
        for hop in hops.reversed() {
            guard let address = IPAddressRange.normalized(hop) else { break }
            client = address
            if !isTrusted(address) { break }
        }
        return client
    }
}
