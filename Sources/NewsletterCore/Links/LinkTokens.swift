import Crypto
import Foundation

/// The tokens in unsubscribe, confirm and preferences links.
///
/// A token is the subscriber id and an HMAC-SHA256, keyed with the site's secret, over the
/// id and the link's purpose: an unsubscribe token cannot confirm anyone, a token cannot be
/// forged or moved to another subscriber, and no lookup table is needed. Verification
/// compares in constant time.
public struct LinkTokens: Sendable {
    public enum Purpose: String, Sendable, CaseIterable {
        case unsubscribe, confirm, preferences
    }

    /// 16 bytes of the MAC (128 bits) keep links short in plain-text emails.
    static let macBytes = 16
    /// HMAC with the key already absorbed; each token copies it (copy-on-write), which saves
    /// the key setup on every one of a run's 200,000 tokens.
    private let keyed: HMAC<SHA256>

    public init(secret: Data) {
        keyed = HMAC<SHA256>(key: SymmetricKey(data: secret))
    }

    /// `<id in base 36>.<base64url MAC>`.
    public func token(subscriberID: Int64, purpose: Purpose) -> String {
        String(subscriberID, radix: 36) + "." + Self.base64URL(mac(subscriberID, purpose))
    }

    /// The subscriber id the token names, if it is genuine and for `purpose`.
    public func verify(_ token: String, purpose: Purpose) -> Int64? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count <= 13, let id = Int64(parts[0], radix: 36), id > 0,
            let given = Self.decodeBase64URL(parts[1]), given.count == Self.macBytes,
            // Base64 ignores the spare bits of the last character: accept only the one canonical spelling.
            Self.base64URL(given) == parts[1], String(id, radix: 36) == parts[0]
        else { return nil }
        let expected = mac(id, purpose)
        var difference: UInt8 = 0
        for (a, b) in zip(expected, given) { difference |= a ^ b }
        return difference == 0 ? id : nil
    }

    private func mac(_ id: Int64, _ purpose: Purpose) -> [UInt8] {
        var hmac = keyed
        hmac.update(data: Data("carers-newsletter/\(purpose.rawValue)/\(id)".utf8))
        return Array(Array(hmac.finalize()).prefix(Self.macBytes))
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Unpadded base64url (RFC 4648 section 5).
    static func base64URL(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index + 2 < bytes.count {
            let n = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            for shift in [18, 12, 6, 0] { out.append(alphabet[Int((n >> UInt32(shift)) & 63)]) }
            index += 3
        }
        let rest = bytes.count - index
        if rest > 0 {
            let n = UInt32(bytes[index]) << 16 | (rest == 2 ? UInt32(bytes[index + 1]) << 8 : 0)
            out.append(alphabet[Int((n >> 18) & 63)])
            out.append(alphabet[Int((n >> 12) & 63)])
            if rest == 2 { out.append(alphabet[Int((n >> 6) & 63)]) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decodeBase64URL(_ text: Substring) -> [UInt8]? {
        guard text.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D || $0 == 0x5F })
        else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map(Array.init)
    }
}
