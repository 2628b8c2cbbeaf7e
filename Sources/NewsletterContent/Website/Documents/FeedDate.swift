import Foundation

/// Reads the date forms that sitemaps and feeds use in practice.
///
/// Hand-written rather than `DateFormatter`-based: formatters are locale-sensitive,
/// need one pattern per variant, and real feeds mix variants freely (missing weekday,
/// two-digit years, zone names). Every path is bounds-checked and returns nil on
/// anything it does not understand, so hostile text can never trap.
enum FeedDate {
    /// Tries the W3C/ISO 8601 forms first (they start with a 4-digit year), then RFC 822.
    static func parse(_ text: String) -> Date? {
        let bytes = trimmedBytes(text)
        guard !bytes.isEmpty, bytes.count <= 128 else { return nil }
        return parseW3C(bytes) ?? parseRFC822(bytes)
    }

    /// W3C Datetime / RFC 3339: `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, then optionally
    /// `Thh:mm[:ss[.s+]]` and a zone (`Z`, `±hh:mm`, `±hhmm`, `±hh`).
    /// Also accepted: a space or lowercase `t` before the time, a space before the zone,
    /// and `UTC`/`GMT` as the zone. A date or time with no zone is taken as UTC.
    static func parseW3C(_ text: String) -> Date? {
        let bytes = trimmedBytes(text)
        guard bytes.count <= 128 else { return nil }
        return parseW3C(bytes)
    }

    /// RFC 822 / RFC 1123 / RFC 2822 as used by RSS `pubDate`:
    /// `[Tue,] 03 Dec 2024 10:00[:00] +0000|GMT|BST|EST…`, with two-digit years,
    /// full month names, month-before-day order and trailing `(comments)` tolerated.
    /// A missing time means midnight; a missing or unknown zone name means UTC.
    static func parseRFC822(_ text: String) -> Date? {
        let bytes = trimmedBytes(text)
        guard bytes.count <= 128 else { return nil }
        return parseRFC822(bytes)
    }

    /// `YYYY-MM-DDThh:mm:ssZ`, used to build stable fallback identifiers.
    static func iso8601(_ date: Date) -> String {
        guard let seconds = Int(exactly: date.timeIntervalSince1970.rounded(.down)),
              abs(seconds) < 300_000_000_000 else { return "" }
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civil(fromDays: days)
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T"
            + "\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))Z"
    }

    // MARK: - W3C

    private static func parseW3C(_ b: [UInt8]) -> Date? {
        var cursor = Cursor(bytes: b)
        guard let year = cursor.digits(4), year >= 1 else { return nil }
        var month = 1, day = 1, hour = 0, minute = 0, second = 0
        var fraction = 0.0
        var offset = 0
        if cursor.take(ascii("-")) {
            guard let m = cursor.digits(2) else { return nil }
            month = m
            if cursor.take(ascii("-")) {
                guard let d = cursor.digits(2) else { return nil }
                day = d
            }
        }
        if let c = cursor.peek, c == ascii("T") || c == ascii("t") || c == ascii(" ") {
            cursor.advance()
            guard let h = cursor.digits(2), cursor.take(ascii(":")), let m = cursor.digits(2) else { return nil }
            hour = h
            minute = m
            if cursor.take(ascii(":")) {
                guard let s = cursor.digits(2) else { return nil }
                second = s
                if cursor.take(ascii(".")) || cursor.take(ascii(",")) {
                    guard let f = cursor.fraction() else { return nil }
                    fraction = f
                }
            }
            cursor.skipSpaces()
            guard let zone = cursor.numericOrUTCZone() else { return nil }
            offset = zone
        }
        guard cursor.atEnd else { return nil }
        return makeDate(year: year, month: month, day: day, hour: hour, minute: minute,
                        second: second, fraction: fraction, offsetSeconds: offset)
    }

    // MARK: - RFC 822

    private static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun",
                                     "jul", "aug", "sep", "oct", "nov", "dec"]
    private static let weekdayNames: Set<String> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

    /// Offsets in minutes. `IST` is left out on purpose: it means Irish, Israel or
    /// India Standard Time depending on who wrote it.
    private static let zoneNames: [String: Int] = [
        "UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "WET": 0,
        "BST": 60, "WEST": 60, "CET": 60, "MET": 60, "CEST": 120, "MEST": 120,
        "EET": 120, "EEST": 180, "MSK": 180,
        "EST": -300, "EDT": -240, "CST": -360, "CDT": -300,
        "MST": -420, "MDT": -360, "PST": -480, "PDT": -420,
        "AKST": -540, "AKDT": -480, "HST": -600,
        "AEST": 600, "AEDT": 660, "ACST": 570, "ACDT": 630, "AWST": 480,
        "NZST": 720, "NZDT": 780, "JST": 540,
    ]

    private static func parseRFC822(_ b: [UInt8]) -> Date? {
        var tokens = rfc822Tokens(b)
        guard !tokens.isEmpty else { return nil }
        if let first = tokens.first, first.allSatisfy(isLetter),
           weekdayNames.contains(String(decoding: first.prefix(3), as: UTF8.self).lowercased()) {
            tokens.removeFirst()
        }
        guard tokens.count >= 3 else { return nil }

        let day: Int
        let month: Int
        if let d = number(tokens[0]), tokens[0].count <= 2, let m = monthNumber(tokens[1]) {
            day = d
            month = m
        } else if let m = monthNumber(tokens[0]), let d = number(tokens[1]), tokens[1].count <= 2 {
            day = d
            month = m
        } else {
            return nil
        }

        var year: Int?
        var time: (Int, Int, Int, Double)?
        var offsetMinutes: Int?
        for token in tokens.dropFirst(2) {
            if token.contains(ascii(":")), time == nil, token.first.map(isDigit) == true {
                guard let t = clock(token) else { return nil }
                time = t
            } else if year == nil, let y = number(token), (2...4).contains(token.count) {
                switch token.count {
                case 2: year = y < 50 ? 2000 + y : 1900 + y
                case 3: year = 1900 + y
                default: year = y
                }
            } else if offsetMinutes == nil, let zone = zoneOffset(token) {
                offsetMinutes = zone
            } else {
                return nil
            }
        }
        guard let year, year >= 1 else { return nil }
        let (hour, minute, second, fraction) = time ?? (0, 0, 0, 0)
        return makeDate(year: year, month: month, day: day, hour: hour, minute: minute,
                        second: second, fraction: fraction, offsetSeconds: (offsetMinutes ?? 0) * 60)
    }

    /// Splits on spaces and commas and drops `(comments)`, e.g. `+0000 (UTC)`.
    private static func rfc822Tokens(_ b: [UInt8]) -> [[UInt8]] {
        var tokens: [[UInt8]] = []
        var current: [UInt8] = []
        var commentDepth = 0
        for c in b {
            if c == ascii("(") { commentDepth += 1; continue }
            if c == ascii(")") { commentDepth = max(0, commentDepth - 1); continue }
            if commentDepth > 0 { continue }
            if c == ascii(" ") || c == ascii(",") || c == 9 || c == 10 || c == 13 {
                if !current.isEmpty { tokens.append(current); current = [] }
            } else {
                current.append(c)
            }
        }
        if !current.isEmpty { tokens.append(current) }
        return tokens
    }

    private static func monthNumber(_ token: [UInt8]) -> Int? {
        guard token.count >= 3, token.allSatisfy(isLetter) else { return nil }
        let name = String(decoding: token, as: UTF8.self).lowercased()
        guard let index = monthNames.firstIndex(of: String(name.prefix(3))) else { return nil }
        // "March" and "Mar" are fine; "Marzipan" is not a month.
        let fullNames = ["january", "february", "march", "april", "may", "june", "july",
                         "august", "september", "october", "november", "december"]
        guard name.count == 3 || fullNames[index].hasPrefix(name) else { return nil }
        return index + 1
    }

    private static func clock(_ token: [UInt8]) -> (Int, Int, Int, Double)? {
        var cursor = Cursor(bytes: token)
        guard let hour = cursor.digits(upTo: 2), cursor.take(ascii(":")),
              let minute = cursor.digits(2) else { return nil }
        var second = 0
        var fraction = 0.0
        if cursor.take(ascii(":")) {
            guard let s = cursor.digits(2) else { return nil }
            second = s
            if cursor.take(ascii(".")) {
                guard let f = cursor.fraction() else { return nil }
                fraction = f
            }
        }
        guard cursor.atEnd else { return nil }
        return (hour, minute, second, fraction)
    }

    private static func zoneOffset(_ token: [UInt8]) -> Int? {
        guard let first = token.first else { return nil }
        if first == ascii("+") || first == ascii("-") {
            var cursor = Cursor(bytes: token)
            guard let seconds = cursor.numericOrUTCZone(), cursor.atEnd else { return nil }
            return seconds / 60
        }
        guard token.allSatisfy({ isLetter($0) || $0 == ascii("+") || $0 == ascii("-") || isDigit($0) }) else {
            return nil
        }
        let upper = String(decoding: token, as: UTF8.self).uppercased()
        // "GMT+0100" and "UTC-05:00" appear in hand-made feeds.
        for prefix in ["GMT", "UTC"] where upper.hasPrefix(prefix) && upper.count > prefix.count {
            var cursor = Cursor(bytes: Array(token.dropFirst(prefix.count)))
            guard let seconds = cursor.numericOrUTCZone(), cursor.atEnd else { return nil }
            return seconds / 60
        }
        guard token.allSatisfy(isLetter) else { return nil }
        if let known = zoneNames[upper] { return known }
        // RFC 2822 §4.3: single-letter military zones and unknown names count as UTC.
        return 0
    }

    // MARK: - Shared

    private static func makeDate(
        year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int,
        fraction: Double, offsetSeconds: Int
    ) -> Date? {
        guard (1...9999).contains(year), (1...12).contains(month),
              day >= 1, day <= daysIn(month: month, year: year),
              (0...24).contains(hour), (0...59).contains(minute), (0...60).contains(second),
              hour < 24 || (minute == 0 && second == 0 && fraction == 0)
        else { return nil }
        // A leap second is folded into the second before it rather than rejected.
        let leapSafeSecond = min(second, 59)
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3_600 + minute * 60 + leapSafeSecond - offsetSeconds
        return Date(timeIntervalSince1970: TimeInterval(seconds) + fraction)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's algorithm).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let monthFromMarch = (month + 9) % 12
        let dayOfYear = (153 * monthFromMarch + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func civil(fromDays days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func trimmedBytes(_ text: String) -> [UInt8] {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return Array(trimmed.utf8.prefix(129))
    }

    private static func number(_ token: [UInt8]) -> Int? {
        guard !token.isEmpty, token.count <= 9, token.allSatisfy(isDigit) else { return nil }
        return token.reduce(0) { $0 * 10 + Int($1 - 48) }
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
    private static func isLetter(_ c: UInt8) -> Bool { (c | 0x20) >= 97 && (c | 0x20) <= 122 }
    private static func ascii(_ s: Unicode.Scalar) -> UInt8 { UInt8(truncatingIfNeeded: s.value) }

    /// A bounds-checked reader over ASCII bytes.
    private struct Cursor {
        let bytes: [UInt8]
        var index = 0

        var atEnd: Bool { index >= bytes.count }
        var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func advance() { index += 1 }

        mutating func take(_ c: UInt8) -> Bool {
            guard peek == c else { return false }
            index += 1
            return true
        }

        mutating func skipSpaces() {
            while peek == 32 { index += 1 }
        }

        /// Exactly `count` decimal digits.
        mutating func digits(_ count: Int) -> Int? {
            guard index + count <= bytes.count else { return nil }
            var value = 0
            for offset in 0..<count {
                let c = bytes[index + offset]
                guard FeedDate.isDigit(c) else { return nil }
                value = value * 10 + Int(c - 48)
            }
            index += count
            return value
        }

        /// One up to `limit` digits (hours are sometimes written `9:05`).
        mutating func digits(upTo limit: Int) -> Int? {
            var value = 0
            var read = 0
            while read < limit, let c = peek, FeedDate.isDigit(c) {
                value = value * 10 + Int(c - 48)
                read += 1
                index += 1
            }
            return read > 0 ? value : nil
        }

        /// Fractional-second digits after the separator; extra precision is ignored.
        mutating func fraction() -> Double? {
            var value = 0.0
            var scale = 0.1
            var read = 0
            while let c = peek, FeedDate.isDigit(c) {
                if read < 9 {
                    value += Double(c - 48) * scale
                    scale /= 10
                }
                read += 1
                index += 1
            }
            return read > 0 ? value : nil
        }

        /// Zone offset in seconds east of UTC. End of input counts as UTC.
        mutating func numericOrUTCZone() -> Int? {
            guard let c = peek else { return 0 }
            if c == 90 || c == 122 { // Z z
                index += 1
                return 0
            }
            if c == 43 || c == 45 { // + -
                index += 1
                guard let hours = digits(2), hours <= 23 else { return nil }
                var minutes = 0
                if take(58) { // :
                    guard let m = digits(2) else { return nil }
                    minutes = m
                } else if let m = digits(2) {
                    minutes = m
                }
                guard minutes <= 59 else { return nil }
                let seconds = hours * 3_600 + minutes * 60
                return c == 45 ? -seconds : seconds
            }
            let rest = String(decoding: bytes[index...], as: UTF8.self).uppercased()
            if rest == "UTC" || rest == "GMT" || rest == "UT" {
                index = bytes.count
                return 0
            }
            return nil
        }
    }
}
