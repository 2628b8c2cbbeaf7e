import Foundation

/// Fixed, locale-free date forms for machine-readable output and messages.
public enum DisplayDate {
    /// `2026-11-21T09:30:00Z`: the form JSON and CSV output use.
    public static func iso(_ date: Date) -> String {
        let t = parts(date)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec)
    }

    /// `2026-11-21`, in UTC.
    public static func day(_ date: Date) -> String {
        let t = parts(date)
        return String(format: "%04d-%02d-%02d", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday)
    }

    /// `2026-11-21 09:30 UTC`: for people reading text output.
    public static func minute(_ date: Date) -> String {
        let t = parts(date)
        return String(format: "%04d-%02d-%02d %02d:%02d UTC", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min)
    }

    private static func parts(_ date: Date) -> tm {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var result = tm()
        gmtime_r(&seconds, &result)
        return result
    }
}
