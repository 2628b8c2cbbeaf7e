import Crypto
import Foundation

/// The tokens in unsubscribe, confirm and preferences links.
///
/// A token is `v2.<id in base 36>.<MAC>`: an HMAC-SHA256, keyed with the site's secret, over
/// the link's purpose, the subscriber id and the subscriber row's random link key. An
/// unsubscribe token cannot confirm anyone, a token cannot be forged, and it verifies only
/// against the row it was made for: a later subscriber given the same id (after an erase,
/// an import or a restore) has another link key. Tokens of the first form, `<id>.<MAC>`
/// over purpose and id only, still verify for rows that existed before link keys did.
///
/// The keys come from a ``LinkKeySource``: the current secret signs, and secrets retired by
/// a rotation still verify until their time is up. Verification compares in constant time.
public struct LinkTokens: Sendable {
    public enum Purpose: String, Sendable, CaseIterable {
        case unsubscribe, confirm, preferences
    }

    /// 16 bytes of the MAC (128 bits) keep links short in plain-text emails.
    static let macBytes = 16
    static let keyedPrefix = "v2."
    let source: LinkKeySource

    /// Tokens signed with one fixed secret, with no retired secrets.
    public init(secret: Data) {
        source = LinkKeySource(fixed: LinkKeySet(current: secret))
    }

    init(source: LinkKeySource) {
        self.source = source
    }

    /// The tokens for a database at `databasePath`: its `link-secret` (created if missing)
    /// and the secrets retired into `link-secret.previous` within `keepFor` seconds. A
    /// rotation by another process is noticed within a second.
    public static func load(databasePath: String, keepFor: TimeInterval) throws -> LinkTokens {
        LinkTokens(source: try LinkKeySource(path: LinkSecret.path(forDatabase: databasePath), keepFor: keepFor))
    }

    /// The tokens for `store`: the `link-secret` file beside a SQLite database, or the
    /// secrets in a shared database (PostgreSQL), where every daemon finds the same ones.
    public static func load(_ settings: DatabaseSettings, store: Store, keepFor: TimeInterval) throws -> LinkTokens {
        guard settings.postgres != nil else { return try load(databasePath: settings.path, keepFor: keepFor) }
        return LinkTokens(source: try LinkKeySource(store: store, keepFor: keepFor))
    }

    /// The token for `subscriber`'s link of `purpose`, signed with the current secret.
    public func token(for subscriber: Subscriber, purpose: Purpose) -> String {
        token(subscriberID: subscriber.id, linkKey: subscriber.linkKey, purpose: purpose)
    }

    public func token(subscriberID: Int64, linkKey: Data, purpose: Purpose) -> String {
        Self.keyedPrefix + String(subscriberID, radix: 36) + "." + Self.base64URL(source.keys().current.mac(subscriberID, linkKey, purpose))
    }

    /// A token of the first form, which no new link uses; for tests of the links already sent.
    package func legacyToken(subscriberID: Int64, purpose: Purpose) -> String {
        String(subscriberID, radix: 36) + "." + Self.base64URL(source.keys().current.mac(subscriberID, nil, purpose))
    }

    /// What a well-formed token for `purpose` claims; nil when it cannot be a token. The claim
    /// is not yet trusted: ``LinkClaim/holds(for:at:)`` checks it against the subscriber row.
    public func claim(_ token: String, purpose: Purpose) -> LinkClaim? {
        let keyed = token.hasPrefix(Self.keyedPrefix)
        let parts = token.dropFirst(keyed ? Self.keyedPrefix.count : 0).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count <= 13, let id = Int64(parts[0], radix: 36), id > 0,
            let given = Self.decodeBase64URL(parts[1]), given.count == Self.macBytes,
            // Base64 ignores the spare bits of the last character: accept only the one canonical spelling.
            Self.base64URL(given) == parts[1], String(id, radix: 36) == parts[0]
        else { return nil }
        return LinkClaim(subscriberID: id, keyed: keyed, mac: given, purpose: purpose, keys: source.keys())
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
