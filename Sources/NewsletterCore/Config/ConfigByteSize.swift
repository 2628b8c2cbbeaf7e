import Foundation

/// File sizes as people write them in the config: `5MB`, `512KB`, `1GB`, `2048B` or a bare
/// number of bytes. Units are binary (1 KB = 1024 bytes, 1 MB = 1024 KB); `KiB`, `MiB` and
/// `GiB` are accepted as the same units, and case does not matter.
public enum ConfigByteSize {
    public static func parse(_ text: String) -> Int64? {
        let trimmed = text.trimmingSpaces.lowercased()
        guard !trimmed.isEmpty else { return nil }
        let units: [(String, Int64)] = [
            ("kib", 1 << 10), ("mib", 1 << 20), ("gib", 1 << 30),
            ("kb", 1 << 10), ("mb", 1 << 20), ("gb", 1 << 30),
            ("k", 1 << 10), ("m", 1 << 20), ("g", 1 << 30), ("b", 1),
        ]
        var number = trimmed
        var factor: Int64 = 1
        for (suffix, value) in units where trimmed.hasSuffix(suffix) {
            number = String(trimmed.dropLast(suffix.count))
            factor = value
            break
        }
        let digits = number.trimmingSpaces
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
            let value = Double(digits), value.isFinite, value >= 0
        else { return nil }
        let bytes = (value * Double(factor)).rounded(.down)
        guard bytes < 1e15 else { return nil }
        return Int64(bytes)
    }

    /// The size in the largest unit that divides it evenly: `5 MB`, `512 KB`, `100 bytes`.
    public static func format(_ bytes: Int64) -> String {
        for (suffix, factor) in [("GB", Int64(1 << 30)), ("MB", 1 << 20), ("KB", 1 << 10)] where bytes >= factor && bytes % factor == 0 {
            return "\(bytes / factor) \(suffix)"
        }
        if bytes >= 1 << 20 { return String(format: "%.1f MB", Double(bytes) / Double(1 << 20)) }
        if bytes >= 1 << 10 { return String(format: "%.1f KB", Double(bytes) / Double(1 << 10)) }
        return "\(bytes) bytes"
    }
}

extension ConfigSection {
    /// A size such as `5MB` or `512KB`; a bare number means bytes.
    public func byteSize(_ key: String, in range: ClosedRange<Int64>) throws -> Int64? {
        guard let text = try string(key) else { return nil }
        guard let bytes = ConfigByteSize.parse(text) else {
            throw failure(key, expected: "a size such as 5MB, 512KB or 1GB", found: text.quotedForDisplay)
        }
        guard range.contains(bytes) else {
            throw failure(
                key, expected: "a size from \(ConfigByteSize.format(range.lowerBound)) to \(ConfigByteSize.format(range.upperBound))",
                found: text.quotedForDisplay)
        }
        return bytes
    }
}
