import Foundation
import NewsletterCore

/// The cadence period a moment falls in, in the schedule's time zone: `2026-11-21` for
/// daily, the ISO week `2026-W47` for weekly, `2026-11` for monthly. A subscriber gets at
/// most one digest per period.
public enum DigestPeriod {
    public static func key(_ cadence: DigestCadence, at date: Date, in zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = zone
        switch cadence {
        case .daily, .off:
            let c = calendar.dateComponents([.year, .month, .day], from: date)
            return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
        case .weekly:
            let c = calendar.dateComponents([.yearForWeekOfYear, .weekOfYear], from: date)
            return String(format: "%04d-W%02d", c.yearForWeekOfYear!, c.weekOfYear!)
        case .monthly:
            let c = calendar.dateComponents([.year, .month], from: date)
            return String(format: "%04d-%02d", c.year!, c.month!)
        }
    }

    /// "today", "this week" or "this month", for sentences in templates.
    public static func phrase(_ cadence: DigestCadence) -> String {
        cadence == .daily ? "today" : "this \(word(cadence))"
    }

    /// "day", "week" or "month", for sentences in templates.
    public static func word(_ cadence: DigestCadence) -> String {
        switch cadence {
        case .daily, .off: "day"
        case .weekly: "week"
        case .monthly: "month"
        }
    }
}

/// Dates as carers read them: "5 May 2022", with English month names whatever the locale.
public enum ReadableDate {
    private static let months = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
    ]

    /// A content marker (`2022-05-05`, or an ISO date-time shown in `zone`) as "5 May 2022";
    /// nil when it is not a date.
    public static func marker(_ marker: String, in zone: TimeZone) -> String? {
        let parts = marker.prefix(10).split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, (1...12).contains(parts[1]), (1...31).contains(parts[2]) else { return nil }
        if marker.count > 10, let date = ISO8601DateFormatter().date(from: marker) {
            return day(date, in: zone)
        }
        return "\(parts[2]) \(months[parts[1] - 1]) \(parts[0])"
    }

    public static func day(_ date: Date, in zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return "\(c.day!) \(months[c.month! - 1]) \(c.year!)"
    }
}

/// How a topic slug reads in an email or on a page: "mental-health" is "Mental health".
public enum TopicName {
    public static func display(_ slug: String) -> String {
        let words = RecipientSlot.inert(slug).replacingOccurrences(of: "-", with: " ")
        return words.prefix(1).uppercased() + words.dropFirst()
    }
}
