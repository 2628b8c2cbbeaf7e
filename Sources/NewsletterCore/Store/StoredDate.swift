import Foundation

/// Dates as the store writes them: GRDB's own text form, "yyyy-MM-dd HH:mm:ss.SSS" in UTC,
/// so GRDB reads them back as `Date`. GRDB formats through ICU's DateFormatter, which cost
/// 14% of a 100,000-row import; this does the same with integer arithmetic.
enum StoredDate {
    static func text(_ date: Date) -> String {
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

    static func text(_ date: Date?) -> String? {
        date.map { text($0) }
    }
}
