import Foundation

/// The RFC 5322 Date header: `Sat, 21 Nov 2026 09:30:00 +0000`. Fixed English names, not
/// the locale's, as the RFC requires.
public enum MessageDate {
    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    public static func format(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var t = tm()
        gmtime_r(&seconds, &t)
        return String(
            format: "%@, %d %@ %04d %02d:%02d:%02d +0000", days[Int(t.tm_wday)], t.tm_mday, months[Int(t.tm_mon)], t.tm_year + 1900,
            t.tm_hour, t.tm_min, t.tm_sec)
    }
}
