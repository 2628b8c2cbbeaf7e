import Foundation
import Testing

@testable import NewsletterCore

@Suite("Schedule rules in local time")
struct ScheduleRuleTests {
    let london = TimeZone(identifier: "Europe/London")!
    let newYork = TimeZone(identifier: "America/New_York")!

    /// A UTC moment written as "2026-03-29 01:00".
    func utc(_ text: String) -> Date {
        let parts = text.split(whereSeparator: { "- :".contains($0) }).map { Int($0)! }
        let days = CivilDate(year: parts[0], month: parts[1], day: parts[2]).days
        return Date(timeIntervalSince1970: Double(days * 86400 + parts[3] * 3600 + parts[4] * 60))
    }

    @Test("08:00 stays 08:00 London time across the March and October changes")
    func dstShifts() {
        let rule = ScheduleRule.daily(hour: 8, minute: 0)
        #expect(rule.nextFire(after: utc("2026-03-28 09:00"), in: london) == utc("2026-03-29 07:00"))  // 08:00 BST
        #expect(rule.nextFire(after: utc("2026-03-27 09:00"), in: london) == utc("2026-03-28 08:00"))  // 08:00 GMT
        #expect(rule.nextFire(after: utc("2026-10-24 09:00"), in: london) == utc("2026-10-25 08:00"))  // 08:00 GMT again
        #expect(rule.nextFire(after: utc("2026-10-23 09:00"), in: london) == utc("2026-10-24 07:00"))
    }

    @Test("a time in the skipped hour fires at the change, the next valid moment")
    func skippedHour() {
        let rule = ScheduleRule.daily(hour: 1, minute: 30)
        #expect(rule.nextFire(after: utc("2026-03-28 12:00"), in: london) == utc("2026-03-29 01:00"))  // 02:00 BST
        #expect(rule.nextFire(after: utc("2026-03-29 01:00"), in: london) == utc("2026-03-30 00:30"))  // 01:30 BST
        let twoThirty = ScheduleRule.daily(hour: 2, minute: 30)
        #expect(twoThirty.nextFire(after: utc("2026-03-08 00:00"), in: newYork) == utc("2026-03-08 07:00"))  // 03:00 EDT
    }

    @Test("a time in the repeated hour fires once, at its first occurrence")
    func repeatedHour() {
        let rule = ScheduleRule.daily(hour: 1, minute: 30)
        let first = rule.nextFire(after: utc("2026-10-24 12:00"), in: london)
        #expect(first == utc("2026-10-25 00:30"))  // 01:30 BST
        #expect(rule.nextFire(after: first, in: london) == utc("2026-10-26 01:30"))  // not 01:30 GMT the same night
        #expect(rule.previousFire(atOrBefore: utc("2026-10-25 01:45"), in: london) == first)
    }

    @Test("monthly on a day past the month's end fires on its last day, leap years included")
    func monthEnds() {
        let rule = ScheduleRule.monthly(day: 31, hour: 8, minute: 0)
        #expect(rule.nextFire(after: utc("2026-02-01 00:00"), in: london) == utc("2026-02-28 08:00"))
        #expect(rule.nextFire(after: utc("2028-02-01 00:00"), in: london) == utc("2028-02-29 08:00"))
        #expect(rule.nextFire(after: utc("2026-04-01 00:00"), in: london) == utc("2026-04-30 07:00"))
        #expect(rule.nextFire(after: utc("2026-12-31 09:00"), in: london) == utc("2027-01-31 08:00"))
        let leapDay = ScheduleRule.monthly(day: 29, hour: 0, minute: 0)
        #expect(leapDay.nextFire(after: utc("2100-02-01 00:00"), in: london) == utc("2100-02-28 00:00"))  // 2100 is not a leap year
        #expect(leapDay.nextFire(after: utc("2000-02-01 00:00"), in: london) == utc("2000-02-29 00:00"))  // 2000 is
    }

    @Test("weekly fires on its weekday; previous fire is at or before the moment")
    func weekly() {
        let rule = ScheduleRule.weekly(weekday: 1, hour: 8, minute: 0)
        #expect(rule.nextFire(after: utc("2026-11-23 08:00"), in: london) == utc("2026-11-30 08:00"))
        #expect(rule.nextFire(after: utc("2026-11-21 10:00"), in: london) == utc("2026-11-23 08:00"))
        #expect(rule.previousFire(atOrBefore: utc("2026-11-23 08:00"), in: london) == utc("2026-11-23 08:00"))
        #expect(rule.previousFire(atOrBefore: utc("2026-11-23 07:59"), in: london) == utc("2026-11-16 08:00"))
    }

    @Test("civil dates round-trip and know their weekday")
    func civil() {
        #expect(CivilDate(days: 0) == CivilDate(year: 1970, month: 1, day: 1))
        #expect(CivilDate(days: 0).isoWeekday == 4)
        #expect(CivilDate(year: 2026, month: 11, day: 23).isoWeekday == 1)
        for days in stride(from: -800_000, through: 800_000, by: 997) {
            #expect(CivilDate(days: CivilDate(days: days).days) == CivilDate(days: days))
        }
    }

    @Test("schedule settings parse, with errors naming the key", arguments: [
        ("daily: \"25:00\"", "schedule.daily: expected a time such as \"08:00\", found \"25:00\""),
        ("weekly: \"funday 08:00\"", "schedule.weekly: expected a time such as \"monday 08:00\", found \"funday 08:00\""),
        ("monthly: \"32 08:00\"", "schedule.monthly: expected a time such as \"1 08:00\" (day of the month, then the time), found \"32 08:00\""),
        ("blog: 10s", "schedule.blog: expected immediate, or an interval from 1m to 7d such as 15m, found \"10s\""),
        ("timezone: Mars/Olympus", "schedule.timezone: expected a time zone name such as Europe/London, found \"Mars/Olympus\""),
    ])
    func settingsErrors(_ yaml: String, _ message: String) throws {
        do {
            _ = try Settings.parse(yaml: "schedule:\n  \(yaml)\n", file: "/etc/n.yaml")
            Issue.record("expected an error")
        } catch let error as NewsletterError {
            #expect(error.exitStatus == .config)
            #expect(error.message == "config /etc/n.yaml, line 2: \(message)")
        }
    }

    @Test("schedule settings and their defaults")
    func settings() throws {
        let parsed = try Settings.parse(
            yaml: "schedule:\n  timezone: America/New_York\n  daily: \"07:15\"\n  weekly: fri 17:30\n  monthly: \"31 06:00\"\n  blog: 15m\n",
            file: "/etc/n.yaml"
        ).schedule
        #expect(parsed.timeZone.identifier == "America/New_York")
        #expect(parsed.daily == .daily(hour: 7, minute: 15))
        #expect(parsed.weekly == .weekly(weekday: 5, hour: 17, minute: 30))
        #expect(parsed.monthly == .monthly(day: 31, hour: 6, minute: 0))
        #expect(parsed.blog == .every(900))
        let defaults = try Settings.parse(yaml: "", file: "/etc/n.yaml").schedule
        #expect(defaults.weekly.description == "monday 08:00")
        #expect(defaults.blog == .immediate)
    }

    @Test("catch-up: a cadence is due once for its latest fire time, never again after success, again after a failure")
    func catchUp() {
        let schedule = ScheduleSettings(timeZone: london)
        let now = utc("2026-11-21 10:00")
        let due = CatchUp.due(at: now, schedule: schedule, lastRuns: [:])
        #expect(due.map(\.cadence) == [.daily, .weekly, .monthly])
        #expect(due.first { $0.cadence == .weekly }?.fire == utc("2026-11-16 08:00"))
        #expect(due.allSatisfy { $0.late && !$0.retry })

        let weekly = JobRun(job: "digest.weekly", lastFire: utc("2026-11-16 08:00"), finishedAt: utc("2026-11-16 08:01"), ok: true, detail: "")
        #expect(!CatchUp.due(at: now, schedule: schedule, lastRuns: ["digest.weekly": weekly]).contains { $0.cadence == .weekly })
        // Weeks missed while stopped: due once, for the latest Monday.
        let old = JobRun(job: "digest.weekly", lastFire: utc("2026-10-26 08:00"), finishedAt: utc("2026-10-26 08:01"), ok: true, detail: "")
        #expect(CatchUp.due(at: now, schedule: schedule, lastRuns: ["digest.weekly": old]).filter { $0.cadence == .weekly }.map(\.fire) == [utc("2026-11-16 08:00")])
        var failed = weekly
        failed.ok = false
        let retry = CatchUp.due(at: now, schedule: schedule, lastRuns: ["digest.weekly": failed]).first { $0.cadence == .weekly }
        #expect(retry?.retry == true)
    }
}
