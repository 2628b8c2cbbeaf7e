import NewsletterCore

/// Reads a date at the start of some text, in the forms carers' sites write them:
///
/// - numeric, in the site's `date_order`: `05/05/2022`, `5.5.22`, `05-05-2022`
///   (a four-digit first number is always year-month-day: `2024/03/12`);
/// - ISO 8601, with or without a time and zone: `2024-03-12`, `2024-03-12T09:30`,
///   `2024-03-12 09:30:00+01:00`, `2024-03-12T09:30:00.000Z`;
/// - day, month name, year: `5 May 2022`, `3rd March 2024`, `12 Mar 2024`, `5th of May, 2022`;
/// - month name, day, year: `May 5, 2022`, `March 3rd 2024`, `Sept. 4 2023`;
/// - any of the named forms after a weekday: `Tuesday 12 March 2024`, `Tue, 12 Mar 2024`.
///
/// A time without a zone is taken as UTC. A date of the right shape that does not exist
/// (31/02/2024, month 13) is reported as impossible rather than ignored, so the page that
/// holds it can be named in a warning.
public struct DateReader: Sendable {
    public var order: SiteSettings.DateOrder

    public init(order: SiteSettings.DateOrder) {
        self.order = order
    }

    public enum Result: Sendable, Equatable {
        /// A date, and how many bytes of the text it took.
        case date(MarkerDate, length: Int)
        /// Text shaped like a date that names no real day.
        case impossible(String, length: Int)
    }

    /// The whole of `text` (surrounding spaces allowed) as a date.
    public func read(_ text: String) -> Result? {
        let bytes = Array(text.utf8)
        var start = 0
        var end = bytes.count
        while start < end, Self.isSpace(bytes[start]) { start += 1 }
        while end > start, Self.isSpace(bytes[end - 1]) { end -= 1 }
        guard let result = read(prefixOf: bytes[start..<end]) else { return nil }
        switch result {
        case .date(_, let length), .impossible(_, let length):
            return length == end - start ? result : nil
        }
    }

    /// A date at the very start of `bytes` (no leading spaces), followed by the end of the
    /// text or something that is not a letter or digit.
    public func read(prefixOf bytes: ArraySlice<UInt8>) -> Result? {
        var cursor = Cursor(bytes: bytes)
        let start = cursor.index
        // An optional weekday: "Tuesday 12 March 2024", "Tue, 12 Mar 2024".
        var afterWeekday = cursor
        if let word = afterWeekday.word(), Self.weekdays.contains(word) {
            _ = afterWeekday.take(UInt8(ascii: ","))
            if afterWeekday.spaces() > 0 || afterWeekday.index > cursor.index { cursor = afterWeekday }
        }
        guard let (parts, end) = readParts(&cursor) else { return nil }
        guard cursor.atBoundary else { return nil }
        let length = end - start
        let text = String(decoding: bytes[start..<end], as: UTF8.self)
        guard var date = MarkerDate(year: parts.year, month: parts.month, day: parts.day) else {
            return .impossible(text, length: length)
        }
        if let time = parts.time {
            var seconds = date.dayNumber * 86400 + time.seconds - time.offset
            let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
            seconds -= days * 86400
            let (y, m, d) = MarkerDate.civil(fromDays: days)
            guard let utc = MarkerDate(year: y, month: m, day: d, secondsIntoDay: seconds) else {
                return .impossible(text, length: length)
            }
            date = utc
        }
        return .date(date, length: length)
    }

    struct Parts {
        var year: Int
        var month: Int
        var day: Int
        var time: (seconds: Int, offset: Int)?
    }

    private func readParts(_ cursor: inout Cursor) -> (Parts, Int)? {
        if let first = cursor.peek, Self.isDigit(first) {
            return readNumericStart(&cursor)
        }
        // Month name first: "May 5, 2022", "March 3rd 2024".
        guard let month = cursor.monthName() else { return nil }
        _ = cursor.take(UInt8(ascii: "."))
        guard cursor.spaces() > 0 || cursor.peek.map(Self.isDigit) == true else { return nil }
        guard let (day, dayDigits) = cursor.number(maxDigits: 2), dayDigits > 0 else { return nil }
        cursor.ordinal()
        _ = cursor.take(UInt8(ascii: ","))
        guard cursor.spaces() > 0 || cursor.peek == nil else { return nil }
        guard let (year, yearDigits) = cursor.number(maxDigits: 4), yearDigits == 4 else { return nil }
        return (Parts(year: year, month: month, day: day), cursor.index)
    }

    private func readNumericStart(_ cursor: inout Cursor) -> (Parts, Int)? {
        guard let (first, firstDigits) = cursor.number(maxDigits: 4) else { return nil }
        if firstDigits == 4 {
            // Year first: ISO 8601, or 2024/03/12 and 2024.03.12.
            guard let separator = cursor.peek, [UInt8(ascii: "-"), UInt8(ascii: "/"), UInt8(ascii: ".")].contains(separator) else { return nil }
            cursor.advance()
            guard let (month, monthDigits) = cursor.number(maxDigits: 2), monthDigits > 0, cursor.take(separator),
                let (day, dayDigits) = cursor.number(maxDigits: 2), dayDigits > 0
            else { return nil }
            var parts = Parts(year: first, month: month, day: day)
            var end = cursor.index
            if separator == UInt8(ascii: "-") {
                var timeCursor = cursor
                if let time = timeCursor.isoTime() {
                    parts.time = time
                    cursor = timeCursor
                    end = cursor.index
                }
            }
            return (parts, end)
        }
        guard firstDigits <= 2 else { return nil }
        if let separator = cursor.peek, [UInt8(ascii: "/"), UInt8(ascii: "."), UInt8(ascii: "-")].contains(separator) {
            var numeric = cursor
            numeric.advance()
            if let (second, secondDigits) = numeric.number(maxDigits: 2), secondDigits > 0, numeric.take(separator),
                let (third, thirdDigits) = numeric.number(maxDigits: 4), thirdDigits == 2 || thirdDigits == 4
            {
                cursor = numeric
                let year = { (value: Int, digits: Int) in digits == 2 ? 2000 + value : value }
                switch order {
                case .dmy: return (Parts(year: year(third, thirdDigits), month: second, day: first), cursor.index)
                case .mdy: return (Parts(year: year(third, thirdDigits), month: first, day: second), cursor.index)
                case .ymd: return (Parts(year: 2000 + first, month: second, day: third), cursor.index)
                }
            }
            // "5-May-2022": a named month between hyphens.
            guard separator == UInt8(ascii: "-") else { return nil }
            cursor.advance()
            guard let month = cursor.monthName(), cursor.take(UInt8(ascii: "-")),
                let (year, yearDigits) = cursor.number(maxDigits: 4), yearDigits == 4
            else { return nil }
            return (Parts(year: year, month: month, day: first), cursor.index)
        }
        // Day first with a month name: "5 May 2022", "3rd March 2024", "5th of May, 2022".
        cursor.ordinal()
        guard cursor.spaces() > 0 else { return nil }
        var afterOf = cursor
        if afterOf.word() == "of", afterOf.spaces() > 0 { cursor = afterOf }
        guard let month = cursor.monthName() else { return nil }
        _ = cursor.take(UInt8(ascii: "."))
        _ = cursor.take(UInt8(ascii: ","))
        guard cursor.spaces() > 0, let (year, yearDigits) = cursor.number(maxDigits: 4), yearDigits == 4 else { return nil }
        return (Parts(year: year, month: month, day: first), cursor.index)
    }

    // MARK: Words

    static let months: [String: Int] = {
        var table: [String: Int] = [:]
        let names = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"]
        for (index, name) in names.enumerated() {
            table[name] = index + 1
            table[String(name.prefix(3))] = index + 1
        }
        table["sept"] = 9
        return table
    }()

    static let weekdays: Set<String> = [
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
    ]

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }
    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    /// A read position in ASCII-ish bytes.
    struct Cursor {
        let bytes: ArraySlice<UInt8>
        var index: Int

        init(bytes: ArraySlice<UInt8>) {
            self.bytes = bytes
            index = bytes.startIndex
        }

        var peek: UInt8? { index < bytes.endIndex ? bytes[index] : nil }

        var atBoundary: Bool {
            guard let next = peek else { return true }
            return !DateReader.isDigit(next) && !DateReader.isLetter(next)
        }

        mutating func advance() { index += 1 }

        mutating func take(_ byte: UInt8) -> Bool {
            guard peek == byte else { return false }
            index += 1
            return true
        }

        /// Spaces, tabs and no-break spaces (U+00A0); returns how many were skipped.
        @discardableResult
        mutating func spaces() -> Int {
            var count = 0
            while let byte = peek {
                if byte == 0x20 || byte == 0x09 {
                    index += 1
                } else if byte == 0xC2, index + 1 < bytes.endIndex, bytes[index + 1] == 0xA0 {
                    index += 2
                } else {
                    break
                }
                count += 1
            }
            return count
        }

        /// Up to `maxDigits` digits; nil when more follow.
        mutating func number(maxDigits: Int) -> (Int, Int)? {
            var value = 0
            var digits = 0
            while let byte = peek, DateReader.isDigit(byte) {
                guard digits < maxDigits else { return nil }
                value = value * 10 + Int(byte - 0x30)
                digits += 1
                index += 1
            }
            return (value, digits)
        }

        /// Exactly `count` digits, whatever follows.
        mutating func exactly(_ count: Int) -> Int? {
            guard index + count <= bytes.endIndex else { return nil }
            var value = 0
            for offset in 0..<count {
                let byte = bytes[index + offset]
                guard DateReader.isDigit(byte) else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            index += count
            return value
        }

        /// A run of ASCII letters, lowercased.
        mutating func word() -> String? {
            let start = index
            while let byte = peek, DateReader.isLetter(byte) { index += 1 }
            guard index > start else { return nil }
            return String(decoding: bytes[start..<index].map { $0 | 0x20 }, as: UTF8.self)
        }

        mutating func monthName() -> Int? {
            var probe = self
            guard let word = probe.word(), let month = DateReader.months[word] else { return nil }
            self = probe
            return month
        }

        /// "st", "nd", "rd" or "th" right after a day number.
        mutating func ordinal() {
            guard index + 1 < bytes.endIndex else { return }
            let pair = (bytes[index] | 0x20, bytes[index + 1] | 0x20)
            let suffixes: [(UInt8, UInt8)] = [(0x73, 0x74), (0x6E, 0x64), (0x72, 0x64), (0x74, 0x68)]
            guard suffixes.contains(where: { $0 == pair }) else { return }
            if index + 2 < bytes.endIndex, DateReader.isLetter(bytes[index + 2]) { return }
            index += 2
        }

        /// `T09:30`, ` 09:30:00`, `T09:30:00.123+01:00`, `T09:30Z`: seconds into the day and
        /// the zone's offset from UTC in seconds.
        mutating func isoTime() -> (seconds: Int, offset: Int)? {
            guard let lead = peek, lead == UInt8(ascii: "T") || lead == UInt8(ascii: "t") || lead == 0x20 else { return nil }
            index += 1
            guard let (hour, hourDigits) = number(maxDigits: 2), hourDigits == 2, take(UInt8(ascii: ":")),
                let (minute, minuteDigits) = number(maxDigits: 2), minuteDigits == 2
            else { return nil }
            var second = 0
            if take(UInt8(ascii: ":")) {
                guard let (value, digits) = number(maxDigits: 2), digits == 2 else { return nil }
                second = value
                if take(UInt8(ascii: ".")) || take(UInt8(ascii: ",")) {
                    while let byte = peek, DateReader.isDigit(byte) { index += 1 }
                }
            }
            guard hour < 24, minute < 60, second < 61 else { return nil }
            var offset = 0
            var probe = self
            probe.spaces()
            if probe.take(UInt8(ascii: "Z")) || probe.take(UInt8(ascii: "z")) {
                self = probe
            } else if let sign = probe.peek, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                probe.advance()
                if let hours = probe.exactly(2) {
                    var minutes = 0
                    var valid = true
                    if probe.take(UInt8(ascii: ":")) {
                        if let value = probe.exactly(2) { minutes = value } else { valid = false }
                    } else if let value = probe.exactly(2) {
                        minutes = value
                    }
                    if valid, hours <= 14, minutes < 60 {
                        offset = (hours * 3600 + minutes * 60) * (sign == UInt8(ascii: "+") ? 1 : -1)
                        self = probe
                    }
                }
            } else {
                var named = probe
                if let word = named.word(), word == "utc" || word == "gmt" { self = named }
            }
            return (hour * 3600 + minute * 60 + min(second, 59), offset)
        }
    }
}
