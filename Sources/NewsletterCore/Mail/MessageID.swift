import Foundation

/// Message-IDs unique across processes and restarts: time, process and randomness, at the
/// sender's domain, e.g. `20261121T093000.3f9a1c2b7d4e8f60.1234@carers.example.org`
/// (stored without angle brackets).
public struct MessageIDGenerator: Sendable {
    private let prefix: String
    private let suffix: String

    /// Ids for messages composed at `date`. A digest run makes one generator and takes
    /// 100,000 ids from it, so the fixed parts are formatted once.
    public init(domain: Substring, at date: Date) {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var t = tm()
        gmtime_r(&seconds, &t)
        prefix = String(format: "%04d%02d%02dT%02d%02d%02d.", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec)
        suffix = ".\(getpid())@\(domain.lowercased())"
    }

    public func next() -> String {
        var generator = SystemRandomNumberGenerator()
        return make(random: generator.next())
    }

    func make(random: UInt64) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var hex = [UInt8](repeating: 0, count: 16)
        for index in 0..<16 { hex[index] = digits[Int((random >> UInt64(60 - 4 * index)) & 15)] }
        return prefix + String(decoding: hex, as: UTF8.self) + suffix
    }
}
