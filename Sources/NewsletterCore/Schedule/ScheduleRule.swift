import Foundation

/// When a digest cadence fires, in local time: `08:00` every day, `monday 08:00` every
/// week, `1 08:00` every month (a day past the month's end means its last day).
///
/// Fire times are found with plain calendar arithmetic and the time zone's offsets, so the
/// rules for daylight-saving changes are exact and testable: 08:00 stays 08:00 local across
/// the March and October changes; a local time that does not exist that day (the skipped
/// hour) fires at the next valid moment, the change itself; a local time that happens twice
/// (the repeated hour) fires once, at its first occurrence.
public enum ScheduleRule: Sendable, Equatable, CustomStringConvertible {
    case daily(hour: Int, minute: Int)
    /// `weekday` is ISO: 1 is Monday, 7 is Sunday.
    case weekly(weekday: Int, hour: Int, minute: Int)
    case monthly(day: Int, hour: Int, minute: Int)

    static let weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

    /// Parses `08:00`, `monday 08:00` or `1 08:00` for the given cadence; nil if malformed.
    public static func parse(_ text: String, cadence: DigestCadence) -> ScheduleRule? {
        let words = text.lowercased().split(separator: " ").map(String.init)
        guard let time = words.last.flatMap(parseTime) else { return nil }
        switch (cadence, words.count) {
        case (.daily, 1):
            return .daily(hour: time.hour, minute: time.minute)
        case (.weekly, 2):
            guard let index = weekdays.firstIndex(where: { $0 == words[0] || $0.prefix(3) == words[0] }) else { return nil }
            return .weekly(weekday: index + 1, hour: time.hour, minute: time.minute)
        case (.monthly, 2):
            guard let day = Int(words[0]), (1...31).contains(day) else { return nil }
            return .monthly(day: day, hour: time.hour, minute: time.minute)
        default:
            return nil
        }
    }

    private static func parseTime(_ text: String) -> (hour: Int, minute: Int)? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, parts[1].count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]),
            (0...23).contains(hour), (0...59).contains(minute)
        else { return nil }
        return (hour, minute)
    }

    public var description: String {
        switch self {
        case .daily(let h, let m): String(format: "%02d:%02d", h, m)
        case .weekly(let d, let h, let m): String(format: "%@ %02d:%02d", Self.weekdays[d - 1], h, m)
        case .monthly(let d, let h, let m): String(format: "%d %02d:%02d", d, h, m)
        }
    }

    /// The first fire time strictly after `date`.
    public func nextFire(after date: Date, in zone: TimeZone) -> Date {
        var day = CivilDate.localDay(of: date, in: zone)
        for _ in 0..<400 {
            if let fire = fire(on: day, in: zone), fire > date { return fire }
            day += 1
        }
        return date.addingTimeInterval(86400)  // unreachable: every rule fires within 31 days
    }

    /// The last fire time at or before `date`.
    public func previousFire(atOrBefore date: Date, in zone: TimeZone) -> Date {
        var day = CivilDate.localDay(of: date, in: zone)
        for _ in 0..<400 {
            if let fire = fire(on: day, in: zone), fire <= date { return fire }
            day -= 1
        }
        return date.addingTimeInterval(-86400)
    }

    /// The fire time on a local day (days since 1970-01-01), nil if the rule does not fire then.
    func fire(on day: Int, in zone: TimeZone) -> Date? {
        let civil = CivilDate(days: day)
        let (hour, minute): (Int, Int)
        switch self {
        case .daily(let h, let m):
            (hour, minute) = (h, m)
        case .weekly(let weekday, let h, let m):
            guard civil.isoWeekday == weekday else { return nil }
            (hour, minute) = (h, m)
        case .monthly(let wanted, let h, let m):
            guard civil.day == min(wanted, CivilDate.daysIn(month: civil.month, year: civil.year)) else { return nil }
            (hour, minute) = (h, m)
        }
        return CivilDate.resolve(localSeconds: Double(day) * 86400 + Double(hour * 3600 + minute * 60), in: zone)
    }
}
