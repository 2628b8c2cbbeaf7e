import Foundation
import NewsletterCore

/// A page's "last updated" date or a post's publication date: a calendar day, or an instant
/// in UTC when the source gave a time.
///
/// Its text form is the event contract's marker: `2022-05-05`, or `2024-03-12T09:30:00Z`.
public struct MarkerDate: Sendable, Hashable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int
    /// Seconds since midnight UTC, when the source gave a time.
    public let secondsIntoDay: Int?

    /// A valid calendar date (1 January 1900 to 31 December 2199), else nil.
    public init?(year: Int, month: Int, day: Int, secondsIntoDay: Int? = nil) {
        guard Self.isValid(year: year, month: month, day: day) else { return nil }
        if let seconds = secondsIntoDay, !(0..<86400).contains(seconds) { return nil }
        self.year = year
        self.month = month
        self.day = day
        self.secondsIntoDay = secondsIntoDay
    }

    /// The instant `date`, to the second, in UTC.
    public init(instant date: Date) {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let (y, m, d) = Self.civil(fromDays: days)
        year = y
        month = m
        day = d
        secondsIntoDay = seconds - days * 86400
    }

    /// Reads the text form back (`2022-05-05` or `2024-03-12T09:30:00Z`).
    public init?(iso text: String) {
        let bytes = Array(text.utf8)
        guard case .date(let date, let length)? = DateReader(order: .ymd).read(prefixOf: bytes[...]), length == bytes.count else {
            return nil
        }
        self = date
    }

    public var hasTime: Bool { secondsIntoDay != nil }

    /// Days since 1 January 1970.
    public var dayNumber: Int { Self.days(year: year, month: month, day: day) }

    /// The instant: midnight UTC for a date without a time.
    public var instant: Date {
        Date(timeIntervalSince1970: TimeInterval(dayNumber * 86400 + (secondsIntoDay ?? 0)))
    }

    /// Whether this marker is later than `other`. Two times compare as instants; when either
    /// is a bare date, only the day counts, so `2024-03-12` and `2024-03-12T09:30:00Z` are the
    /// same day and neither is an update on the other.
    public func isLater(than other: MarkerDate) -> Bool {
        if let mine = secondsIntoDay, let theirs = other.secondsIntoDay {
            return (dayNumber, mine) > (other.dayNumber, theirs)
        }
        return dayNumber > other.dayNumber
    }

    /// The ISO 8601 text: the marker stored with events.
    public var iso: String {
        var text = Self.pad(year, 4) + "-" + Self.pad(month, 2) + "-" + Self.pad(day, 2)
        if let seconds = secondsIntoDay {
            text += "T" + Self.pad(seconds / 3600, 2) + ":" + Self.pad(seconds / 60 % 60, 2) + ":" + Self.pad(seconds % 60, 2) + "Z"
        }
        return text
    }

    public var description: String { iso }

    // MARK: Calendar arithmetic (proleptic Gregorian, no ICU: CivilDate in Core)

    static func isValid(year: Int, month: Int, day: Int) -> Bool {
        (1900...2199).contains(year) && (1...12).contains(month) && day >= 1 && day <= daysIn(month: month, year: year)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        CivilDate.daysIn(month: month, year: year)
    }

    static func days(year: Int, month: Int, day: Int) -> Int {
        CivilDate(year: year, month: month, day: day).days
    }

    static func civil(fromDays days: Int) -> (Int, Int, Int) {
        let date = CivilDate(days: days)
        return (date.year, date.month, date.day)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
