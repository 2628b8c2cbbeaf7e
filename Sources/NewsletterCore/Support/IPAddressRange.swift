import Foundation

/// An IPv4 or IPv6 address, or a range of them in CIDR form (`10.0.0.0/8`, `fd00::/8`).
///
/// IPv4-mapped IPv6 addresses (`::ffff:127.0.0.1`) are taken as the IPv4 address, so a
/// proxy listed as `127.0.0.1` matches however the socket reports it.
public struct IPAddressRange: Sendable, Equatable, CustomStringConvertible {
    /// 4 or 16 bytes.
    public let network: [UInt8]
    public let prefixLength: Int

    public init?(_ text: String) {
        let parts = text.trimmingSpaces.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let bytes = Self.parse(String(parts[0])) else { return nil }
        let maximum = bytes.count * 8
        var length = maximum
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].count <= 3, parts[1].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                let given = Int(parts[1]), given <= maximum
            else { return nil }
            length = given
        }
        network = Self.mask(bytes, length)
        prefixLength = length
    }

    /// Whether `address` (a plain address, not a range) is in this range.
    public func contains(_ address: String) -> Bool {
        guard let bytes = Self.parse(address), bytes.count == network.count else { return false }
        return Self.mask(bytes, prefixLength) == network
    }

    public var description: String {
        let full = network.count * 8
        let text = Self.format(network) ?? "?"
        return prefixLength == full ? text : "\(text)/\(prefixLength)"
    }

    /// The address in its usual written form (IPv4-mapped IPv6 written as IPv4), or nil when
    /// `text` is not an address.
    public static func normalized(_ text: String) -> String? {
        parse(text).flatMap(format)
    }

    /// For an IPv6 address, its network of `ipv6Prefix` bits in CIDR form (`2001:db8:1:2::/64`);
    /// an IPv4 address as it is; nil when `text` is not an address.
    public static func network(of text: String, ipv6Prefix: Int) -> String? {
        guard let bytes = parse(text) else { return nil }
        if bytes.count == 4 { return format(bytes) }
        return format(mask(bytes, ipv6Prefix)).map { "\($0)/\(ipv6Prefix)" }
    }

    /// Whether `text` is a loopback address (127.0.0.0/8 or ::1).
    public static func isLoopback(_ text: String) -> Bool {
        guard let bytes = parse(text) else { return false }
        return bytes.count == 4 ? bytes[0] == 127 : bytes == Array(repeating: 0, count: 15) + [1]
    }

    static func parse(_ text: String) -> [UInt8]? {
        var text = text
        if text.hasPrefix("[") && text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        // A zone (fe80::1%eth0) names an interface, not part of the address.
        if let percent = text.firstIndex(of: "%") { text = String(text[..<percent]) }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            let bytes = withUnsafeBytes(of: &v6) { Array($0) }
            if bytes.prefix(10).allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF { return Array(bytes.suffix(4)) }
            return bytes
        }
        return nil
    }

    private static func format(_ bytes: [UInt8]) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        let written = bytes.withUnsafeBytes { raw in inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count)) }
        guard written != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func mask(_ bytes: [UInt8], _ length: Int) -> [UInt8] {
        bytes.enumerated().map { index, byte in
            let bits = max(0, min(8, length - index * 8))
            return bits == 8 ? byte : byte & ~(UInt8(0xFF) >> bits)
        }
    }
}
