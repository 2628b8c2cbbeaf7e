import Foundation

/// The code the fuzzers drive. Each target reads any bytes at all (a libFuzzer input, a file
/// of the committed corpus, or what a seeded generator wrote) and checks its properties,
/// returning what it found wrong: an empty list means the input was handled as it should be.
/// A trap, a hang or runaway memory is a finding too; libFuzzer and the tests see those.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// `EmailAddress` and `Mailbox(parsing:)`: whatever they accept is safe in a header and
    /// an SMTP command, and agrees with an independent reading of the WHATWG grammar.
    case address
    /// `CSVReader` and `SubscriberImport.check`: one-line errors, consistent parsing, and
    /// rows whose fields are safe to store and put in headers.
    case csv
    /// `PageParser` (front matter, HTML, text) and `DateReader`: titles, summaries, URLs
    /// and warnings that are clean single lines of bounded length, and real dates.
    case page
    /// `Settings.parse`: one-line config errors (exit 78), and settings whose values are
    /// safe where they end up (headers, paths, URLs).
    case config
    /// The MIME serializer, through the real composers: every message parses cleanly, has
    /// exactly the expected headers, no line over 998 octets, and decodes to what was meant.
    case mime

    /// Checks `input` against the target's properties.
    public func check(_ input: [UInt8]) -> [String] {
        switch self {
        case .address: return AddressFuzz.check(input)
        case .csv: return CSVFuzz.check(input)
        case .page: return PageFuzz.check(input)
        case .config: return ConfigFuzz.check(input)
        case .mime: return MIMEFuzz.check(input)
        }
    }

    /// An input built from `generator`: structured enough to get past the first checks, with
    /// hostile text where it matters. Its bytes replay through ``check(_:)``.
    public func generate<G: RandomNumberGenerator>(using generator: inout G) -> [UInt8] {
        switch self {
        case .address: return AddressFuzz.generate(using: &generator)
        case .csv: return CSVFuzz.generate(using: &generator)
        case .page: return PageFuzz.generate(using: &generator)
        case .config: return ConfigFuzz.generate(using: &generator)
        case .mime: return MIMEFuzz.generate(using: &generator)
        }
    }
}

/// How the checks run.
public enum FuzzOptions {
    /// Python's parser is asked about one message in this many (chosen by the message's
    /// bytes, so a finding replays): 1 in the tests; `FUZZ_PYTHON_EVERY` for libFuzzer,
    /// where a round trip to Python would otherwise bound the rate.
    public static let pythonEvery: UInt64 = ProcessInfo.processInfo.environment["FUZZ_PYTHON_EVERY"].flatMap { UInt64($0) }.map { max($0, 1) } ?? 1

    static func asksPython(_ message: Data) -> Bool {
        guard pythonEvery > 1 else { return true }
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in message { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return hash % pythonEvery == 0
    }
}

/// Checks shared by the targets.
enum Safe {
    /// Whether `text` holds a C0 or C1 control character or DEL (anything that can break a
    /// line, a header or a terminal), or with `separators`, a Unicode line or paragraph separator.
    static func hasControl(_ text: String, separators: Bool = true) -> Bool {
        text.unicodeScalars.contains { isControl($0) || (separators && ($0.value == 0x2028 || $0.value == 0x2029)) }
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return v < 0x20 || (v >= 0x7F && v <= 0x9F)
    }

    /// Problems with a message meant for a person: one line, no control characters.
    static func message(_ text: String, _ what: String) -> [String] {
        var problems: [String] = []
        if text.isEmpty { problems.append("\(what) is empty") }
        if hasControl(text, separators: false) { problems.append("\(what) holds a control character or line break: \(text.debugDescription)") }
        return problems
    }
}
