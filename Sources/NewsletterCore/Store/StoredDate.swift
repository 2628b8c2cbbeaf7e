import Foundation

/// Dates as the store writes them: GRDB's own text form, "yyyy-MM-dd HH:mm:ss.SSS" in UTC,
/// so GRDB reads them back as `Date`. GRDB formats through ICU's DateFormatter, which cost
/// 14% of a 100,000-row import; this does the same with integer arithmetic.
package enum StoredDate {
    package static func text(_ date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(millis >= 0 ? millis / 1000 : (millis - 999) / 1000)
        let fraction = Int(millis - Int64(seconds) * 1000)
        var t = tm()
        gmtime_r(&seconds, &t)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(23)
        func append(_ value: Int, digits: Int) {
            var divisor = 1
            for _ in 1..<digits { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                bytes.append(UInt8(48 + rest / divisor))
                rest %= divisor
                divisor /= 10
            }
        }
        append(Int(t.tm_year) + 1900, digits: 4)
        bytes.append(UInt8(ascii: "-"))
        append(Int(t.tm_mon) + 1, digits: 2)
        bytes.append(UInt8(ascii: "-"))
        append(Int(t.tm_mday), digits: 2)
        bytes.append(UInt8(ascii: " "))
        append(Int(t.tm_hour), digits: 2)
        bytes.append(UInt8(ascii: ":"))
        append(Int(t.tm_min), digits: 2)
        bytes.append(UInt8(ascii: ":"))
        append(Int(t.tm_sec), digits: 2)
        bytes.append(UInt8(ascii: "."))
        append(fraction, digits: 3)
        return String(decoding: bytes, as: UTF8.self)
    }

    package static func text(_ date: Date?) -> String? {
        date.map { text($0) }
    }

    /// Reads the text ``text(_:)`` writes, and the shorter forms GRDB also reads
    /// ("yyyy-MM-dd", "yyyy-MM-dd HH:mm", a "T" for the space, a trailing "Z"), all in UTC.
    package static func date(_ text: String) -> Date? {
        var bytes = Array(text.utf8)
        if bytes.last == UInt8(ascii: "Z") { bytes.removeLast() }
        var index = 0
        func number(_ digits: Int) -> Int? {
            guard index + digits <= bytes.count else { return nil }
            var value = 0
            for _ in 0..<digits {
                let byte = bytes[index]
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
                index += 1
            }
            return value
        }
        func skip(_ separators: String) -> Bool {
            guard index < bytes.count, separators.utf8.contains(bytes[index]) else { return false }
            index += 1
            return true
        }
        guard let year = number(4), skip("-"), let month = number(2), skip("-"), let day = number(2) else { return nil }
        var hour = 0, minute = 0, second = 0
        var fraction = 0.0
        if index < bytes.count {
            guard skip(" T"), let h = number(2), skip(":"), let m = number(2) else { return nil }
            (hour, minute) = (h, m)
            if skip(":") {
                guard let s = number(2) else { return nil }
                second = s
                if skip(".") {
                    var scale = 0.1
                    let start = index
                    while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                        fraction += Double(bytes[index] - 48) * scale
                        scale /= 10
                        index += 1
                    }
                    guard index > start else { return nil }
                }
            }
        }
        guard index == bytes.count, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else {
            return nil
        }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let seconds = timegm(&parts)
        // Milliseconds as written, without the binary fraction's rounding drift.
        return Date(timeIntervalSince1970: Double(seconds) + (fraction * 1000).rounded() / 1000)
    }
}
