import Foundation
import Yams

/// One mapping of the config file, read key by key.
///
/// Each typed accessor records the key it read, so `finish()` can name any key nobody
/// asked for: a misspelt key is an error, not a silently ignored setting. Every error is
/// one line naming the file, the line, the full key and what was expected.
public final class ConfigSection {
    public let file: String
    /// Dotted path of this section ("" for the top level, "smtp" for the smtp section).
    public let path: String
    private let entries: [(key: String, value: Node, line: Int?)]
    private let line: Int?
    private var read: Set<String> = []

    init(file: String, path: String, node: Node?) throws {
        self.file = file
        self.path = path
        self.line = node?.mark?.line
        switch node {
        case nil:
            entries = []
        case .mapping(let mapping)?:
            var entries: [(String, Node, Int?)] = []
            for (key, value) in mapping {
                guard case .scalar(let scalar) = key else {
                    throw ConfigSection.error(file: file, line: key.mark?.line, "\(path.isEmpty ? "a key" : "a key in \(path)") is not a plain word")
                }
                entries.append((scalar.string, value, key.mark?.line))
            }
            self.entries = entries
        case .scalar(let scalar)? where scalar.string.isEmpty || Self.isNull(scalar):
            entries = []
        case let other?:
            throw ConfigSection.error(
                file: file, line: other.mark?.line,
                "\(path.isEmpty ? "the file" : path): expected a mapping of keys to values, found \(Self.describe(other))")
        }
    }

    // MARK: Typed values

    /// A plain string, taken as written (YAML 1.1 would read `08:00` as a number).
    public func string(_ key: String) throws -> String? {
        guard let (node, line) = lookup(key) else { return nil }
        guard case .scalar(let scalar) = node else {
            throw mismatch(key, line, expected: "a string", found: node)
        }
        try checkTag(scalar, key, line)
        if Self.isNull(scalar) { return nil }
        return scalar.string
    }

    /// A string that must not be empty.
    public func nonEmptyString(_ key: String, expected: String = "a non-empty string") throws -> String? {
        guard let value = try string(key) else { return nil }
        if value.trimmingCharacters(in: .whitespaces).isEmpty {
            throw failure(key, expected: expected, found: "an empty string")
        }
        return value
    }

    /// A file or folder path as written (relative paths are resolved by the caller). A control
    /// character is refused: a NUL would not reach the file system as written, and a line
    /// break is a slip of the editor.
    public func path(_ key: String, expected: String) throws -> String? {
        guard let value = try nonEmptyString(key, expected: expected) else { return nil }
        if value.hasLineBreakOrControl {
            throw failure(key, expected: "\(expected), without control characters", found: value.quotedForDisplay)
        }
        return value
    }

    /// A whole number within `range`.
    public func int(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let text = try string(key) else { return nil }
        guard let value = Int(text.replacingOccurrences(of: "_", with: "")) else {
            throw failure(key, expected: "a whole number", found: text.quotedForDisplay)
        }
        guard range.contains(value) else {
            throw failure(key, expected: "a whole number from \(range.lowerBound) to \(range.upperBound)", found: String(value))
        }
        return value
    }

    /// true/false (yes/no and on/off are accepted too).
    public func bool(_ key: String) throws -> Bool? {
        guard let text = try string(key) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw failure(key, expected: "true or false", found: text.quotedForDisplay)
        }
    }

    /// A duration such as `30s`, `15m`, `2h` or `3d`; a bare number means seconds.
    public func duration(_ key: String, in range: ClosedRange<TimeInterval> = 0...(100 * 365 * 86400)) throws -> TimeInterval? {
        guard let text = try string(key) else { return nil }
        guard let seconds = ConfigDuration.parse(text) else {
            throw failure(key, expected: "a duration such as 30s, 15m, 2h or 3d", found: text.quotedForDisplay)
        }
        guard range.contains(seconds) else {
            throw failure(
                key, expected: "a duration from \(ConfigDuration.format(range.lowerBound)) to \(ConfigDuration.format(range.upperBound))",
                found: text.quotedForDisplay)
        }
        return seconds
    }

    /// One of a fixed set of words.
    public func choice<T: RawRepresentable & CaseIterable>(_ key: String, as type: T.Type = T.self) throws -> T?
    where T.RawValue == String {
        guard let text = try string(key) else { return nil }
        if let value = T(rawValue: text.lowercased()) { return value }
        let words = T.allCases.map(\.rawValue).joined(separator: ", ")
        throw failure(key, expected: "one of \(words)", found: text.quotedForDisplay)
    }

    /// A list of strings; a single string is taken as a list of one.
    public func strings(_ key: String) throws -> [String]? {
        guard let (node, line) = lookup(key) else { return nil }
        switch node {
        case .scalar(let scalar):
            return Self.isNull(scalar) ? nil : [scalar.string]
        case .sequence(let sequence):
            return try sequence.map { item in
                guard case .scalar(let scalar) = item else {
                    throw mismatch(key, item.mark?.line ?? line, expected: "a list of strings", found: item)
                }
                try checkTag(scalar, key, item.mark?.line ?? line)
                return scalar.string
            }
        default:
            throw mismatch(key, line, expected: "a list of strings", found: node)
        }
    }

    /// A nested section; absent keys give an empty section so defaults apply.
    public func section(_ key: String) throws -> ConfigSection {
        let node = lookup(key)?.node
        return try ConfigSection(file: file, path: qualified(key), node: node)
    }

    /// Whether the key is present at all.
    public func contains(_ key: String) -> Bool {
        entries.contains { $0.key == key }
    }

    /// Fails on the first key that no accessor read, suggesting the nearest known key.
    public func finish() throws {
        for entry in entries where !read.contains(entry.key) {
            var message = "unknown key \(qualified(Self.shown(entry.key)))"
            if let suggestion = Self.nearest(to: entry.key, in: read) {
                message += " (did you mean \(qualified(suggestion))?)"
            } else if !read.isEmpty {
                message += " (known keys here: \(read.sorted().joined(separator: ", ")))"
            }
            throw Self.error(file: file, line: entry.line, message)
        }
    }

    /// An error about the value of `key`, in the file's usual one-line form.
    public func failure(_ key: String, expected: String, found: String) -> NewsletterError {
        Self.error(file: file, line: lookupLine(key) ?? line, "\(qualified(key)): expected \(expected), found \(found)")
    }

    /// An error about `key` in free words, in the file's usual one-line form.
    public func failure(_ key: String, _ problem: String) -> NewsletterError {
        Self.error(file: file, line: lookupLine(key) ?? line, "\(qualified(key)): \(problem)")
    }

    // MARK: Helpers

    private func lookup(_ key: String) -> (node: Node, line: Int?)? {
        read.insert(key)
        guard let entry = entries.last(where: { $0.key == key }) else { return nil }
        return (entry.value, entry.value.mark?.line ?? entry.line)
    }

    /// Every value is read as text: one tagged as something else (`!!binary`, `!custom`)
    /// would be taken for the text of its tag's argument, so it is refused.
    private func checkTag(_ scalar: Node.Scalar, _ key: String, _ line: Int?) throws {
        let plain: [Tag.Name] = [.implicit, .nonSpecific, .str, .int, .float, .bool, .null, .timestamp]
        guard !plain.map(\.rawValue).contains(scalar.tag.rawValue) else { return }
        throw Self.error(
            file: file, line: line, "\(qualified(key)): expected a string, found a value tagged \(scalar.tag.rawValue.quotedForDisplay)")
    }

    private func lookupLine(_ key: String) -> Int? {
        entries.last(where: { $0.key == key }).flatMap { $0.value.mark?.line ?? $0.line }
    }

    /// A key as a message shows it: as written when it is a plain word, quoted and escaped
    /// otherwise (a key can be any YAML string, line breaks and escape sequences included).
    public static func shown(_ key: String) -> String {
        let plain = !key.isEmpty && key.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
        return plain ? key : key.quotedForDisplay
    }

    private func qualified(_ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    private func mismatch(_ key: String, _ line: Int?, expected: String, found node: Node) -> NewsletterError {
        Self.error(file: file, line: line, "\(qualified(key)): expected \(expected), found \(Self.describe(node))")
    }

    static func error(file: String, line: Int?, _ problem: String) -> NewsletterError {
        let place = line.map { "config \(file), line \($0)" } ?? "config \(file)"
        return .config("\(place): \(problem)")
    }

    private static func isNull(_ scalar: Node.Scalar) -> Bool {
        scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    private static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): return isNull(scalar) ? "nothing" : scalar.string.quotedForDisplay
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    private static func nearest(to key: String, in known: Set<String>) -> String? {
        let lowered = key.lowercased()
        if let containing = known.sorted().first(where: { $0.contains(lowered) || lowered.contains($0) }) { return containing }
        let scored = known.map { ($0, editDistance(lowered, $0)) }
        guard let best = scored.min(by: { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }) else { return nil }
        return best.1 <= max(2, key.count / 3) ? best.0 : nil
    }

    private static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
