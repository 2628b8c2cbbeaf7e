import Crypto
import Foundation

/// A validated email address.
///
/// The rules are the WHATWG "valid e-mail address" grammar (atext and dots before the @,
/// letter-digit-hyphen labels of at most 63 after it) with RFC 5321's limits of 254 octets
/// in all and 64 before the @, and its dot-atom rule (no leading, trailing or doubled dot).
/// Anything holding whitespace, control characters, `<` or `>` is refused, so a validated
/// address can go into a header or an SMTP command as it is.
public struct EmailAddress: Sendable, Hashable, CustomStringConvertible {
    /// The address as given, with surrounding spaces trimmed.
    public let value: String

    /// Validates `raw` after trimming surrounding spaces and tabs.
    public init(_ raw: String) throws {
        let trimmed = Self.trim(raw)
        if let problem = Self.problem(with: trimmed) {
            throw NewsletterError.badData("invalid email address \(raw.quotedForDisplay): \(problem)")
        }
        value = trimmed
    }

    /// Addresses compare case-insensitively: this is the form they are compared in.
    public var key: String { Self.key(value) }

    /// SHA-256 of the comparison form, in hex: what the suppression list keeps.
    public var hash: String { Self.hash(key: key) }

    /// The part after the @.
    public var domain: Substring { value[value.index(after: value.lastIndex(of: "@")!)...] }

    public var description: String { value }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.key == rhs.key }
    public func hash(into hasher: inout Hasher) { hasher.combine(key) }

    static func key(_ value: String) -> String {
        // Valid addresses are ASCII, so ASCII lowercasing is exact.
        String(decoding: value.utf8.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
    }

    static func hash(key: String) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in SHA256.hash(data: Data(key.utf8)) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    static func trim(_ raw: String) -> String {
        let edges: Set<Unicode.Scalar> = [" ", "\t", "\u{A0}", "\u{FEFF}", "\u{200B}"]
        var scalars = Substring(raw).unicodeScalars
        while let first = scalars.first, edges.contains(first) { scalars.removeFirst() }
        while let last = scalars.last, edges.contains(last) { scalars.removeLast() }
        return String(scalars)
    }

    /// Why `address` is not valid, in words a member of staff can act on; nil when it is.
    public static func problem(with address: String) -> String? {
        let bytes = Array(address.utf8)
        if bytes.isEmpty { return "it is empty" }
        if let bad = bytes.first(where: { $0 < 0x20 || $0 == 0x7F }) {
            return bad == 0x0A || bad == 0x0D ? "it contains a line break" : "it contains a control character"
        }
        if bytes.contains(0x20) { return "it contains a space" }
        if bytes.contains(UInt8(ascii: "<")) || bytes.contains(UInt8(ascii: ">")) {
            return "it contains < or >; give the bare address, without a name or brackets"
        }
        if bytes.contains(where: { $0 >= 0x80 }) {
            if let scalar = address.unicodeScalars.first(where: { !$0.isASCII }), scalar.properties.isWhitespace {
                return [0x85, 0x2028, 0x2029].contains(scalar.value) ? "it contains a line break" : "it contains a space"
            }
            if address.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                return "it contains a control character"
            }
            return "it contains a character outside plain ASCII, which this list does not support"
        }
        let ats = bytes.indices.filter { bytes[$0] == UInt8(ascii: "@") }
        guard let at = ats.first else { return "it has no @" }
        if ats.count > 1 { return "it has more than one @" }
        if bytes.count > 254 { return "it is longer than 254 characters" }

        let local = bytes[..<at]
        let domain = bytes[(at + 1)...]
        if local.isEmpty { return "there is nothing before the @" }
        if local.count > 64 { return "the part before the @ is longer than 64 characters" }
        if let bad = local.first(where: { !isAtext($0) && $0 != UInt8(ascii: ".") }) {
            return "the part before the @ contains \(String(UnicodeScalar(bad)).quotedForDisplay), which is not allowed"
        }
        if local.first == UInt8(ascii: ".") || local.last == UInt8(ascii: ".") || containsDoubleDot(local) {
            return "the part before the @ starts or ends with a dot, or has two dots in a row"
        }

        if domain.isEmpty { return "there is nothing after the @" }
        if domain.last == UInt8(ascii: ".") { return "the domain ends with a dot" }
        for label in domain.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            if let problem = labelProblem(label) { return problem }
        }
        return nil
    }

    private static func labelProblem(_ label: ArraySlice<UInt8>) -> String? {
        if label.isEmpty { return "the domain has an empty part (a dot at the start, or two dots in a row)" }
        if label.count > 63 { return "a part of the domain is longer than 63 characters" }
        if let bad = label.first(where: { !isLetterOrDigit($0) && $0 != UInt8(ascii: "-") }) {
            return "the domain contains \(String(UnicodeScalar(bad)).quotedForDisplay), which is not allowed"
        }
        if label.first == UInt8(ascii: "-") || label.last == UInt8(ascii: "-") {
            return "a part of the domain starts or ends with a hyphen"
        }
        return nil
    }

    private static func containsDoubleDot(_ bytes: ArraySlice<UInt8>) -> Bool {
        zip(bytes, bytes.dropFirst()).contains { $0 == UInt8(ascii: ".") && $1 == UInt8(ascii: ".") }
    }

    private static func isLetterOrDigit(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    /// RFC 5322 atext, as the WHATWG grammar uses it.
    private static func isAtext(_ byte: UInt8) -> Bool {
        if isLetterOrDigit(byte) { return true }
        return "!#$%&'*+/=?^_`{|}~-".utf8.contains(byte)
    }
}
