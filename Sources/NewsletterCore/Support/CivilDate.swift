import Foundation

/// Proleptic Gregorian dates as days since 1970-01-01 (Howard Hinnant's algorithms).
public struct CivilDate: Equatable, Sendable {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// The date `days` days after 1970-01-01.
    public init(days: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = doy - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// Days since 1970-01-01.
    public var days: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// 1 is Monday; 1970-01-01 was a Thursday.
    public var isoWeekday: Int { ((days % 7 + 7) % 7 + 3) % 7 + 1 }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// The local day number that `date` falls on in `zone`.
    static func localDay(of date: Date, in zone: TimeZone) -> Int {
        let local = date.timeIntervalSince1970 + Double(zone.secondsFromGMT(for: date))
        return Int((local / 86400).rounded(.down))
    }

    /// The moment a local wall-clock time (seconds since 1970 as if the zone were UTC)
    /// happens: its first occurrence if it happens twice, or the clock change if it is skipped.
    static func resolve(localSeconds: Double, in zone: TimeZone) -> Date {
        let before = Double(zone.secondsFromGMT(for: Date(timeIntervalSince1970: localSeconds - 86400)))
        let after = Double(zone.secondsFromGMT(for: Date(timeIntervalSince1970: localSeconds + 86400)))
        let candidates = Set([localSeconds - before, localSeconds - after]).sorted()
        for candidate in candidates {
            let moment = Date(timeIntervalSince1970: candidate)
            if candidate + Double(zone.secondsFromGMT(for: moment)) == localSeconds { return moment }
        }
        let earliest = Date(timeIntervalSince1970: candidates[0])
        return zone.nextDaylightSavingTimeTransition(after: earliest) ?? Date(timeIntervalSince1970: localSeconds - after)
    }
}
