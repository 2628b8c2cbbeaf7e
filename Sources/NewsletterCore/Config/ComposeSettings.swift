import Foundation

/// `templates:`: where the email (and web page) templates are.
public struct TemplateSettings: Sendable, Equatable {
    /// `templates.dir` as set (absolute), or nil: then the `templates` folder beside the
    /// config file if there is one, else the installed defaults, else those built into the
    /// binary (NewsletterCompose's `TemplateSource` decides).
    public var dir: String?
    /// The `templates` folder beside the config file, whether or not it exists.
    public var besideConfig: String

    init(_ section: ConfigSection, relativeTo folder: URL) throws {
        dir = try section.path("dir", expected: "the path of a templates folder").map { ConfigPath.resolve($0, relativeTo: folder) }
        besideConfig = ConfigPath.resolve("templates", relativeTo: folder)
        try section.finish()
    }

    public init(dir: String?, besideConfig: String = "templates") {
        self.dir = dir
        self.besideConfig = besideConfig
    }
}

/// `digest:`: what digests hold.
public struct DigestSettings: Sendable, Equatable {
    /// Whether a subscriber with nothing new still gets a digest.
    public var sendEmpty: Bool

    init(_ section: ConfigSection) throws {
        sendEmpty = try section.bool("send_empty") ?? false
        try section.finish()
    }

    public init(sendEmpty: Bool = false) {
        self.sendEmpty = sendEmpty
    }
}

/// `blog:`: notifications for subscribers who take blog posts as they appear.
public struct BlogSettings: Sendable, Equatable {
    /// Posts detected within this long of the first one go in one email.
    public var window: TimeInterval

    init(_ section: ConfigSection) throws {
        window = try section.duration("window", in: 0...86400) ?? 600
        try section.finish()
    }

    public init(window: TimeInterval = 600) {
        self.window = window
    }
}

/// `signup:`: double opt-in.
public struct SignupSettings: Sendable, Equatable {
    /// Email a confirmation link to each new pending subscriber.
    public var confirmation: Bool
    /// Email a welcome message once a subscriber confirms.
    public var welcome: Bool

    init(_ section: ConfigSection) throws {
        confirmation = try section.bool("confirmation") ?? true
        welcome = try section.bool("welcome") ?? true
        try section.finish()
    }

    public init(confirmation: Bool = true, welcome: Bool = true) {
        self.confirmation = confirmation
        self.welcome = welcome
    }
}

/// `schedule:`: when digests go out.
public struct ScheduleSettings: Sendable, Equatable {
    /// When blog notifications go out.
    public enum BlogTiming: Sendable, Equatable {
        /// As soon as `blog.window` closes.
        case immediate
        /// Batched: at most once per interval.
        case every(TimeInterval)
    }

    /// The time zone digest times and periods are reckoned in.
    public var timeZone: TimeZone
    public var daily: ScheduleRule
    public var weekly: ScheduleRule
    public var monthly: ScheduleRule
    public var blog: BlogTiming

    init(_ section: ConfigSection) throws {
        let name = try section.nonEmptyString("timezone", expected: "a time zone name such as Europe/London") ?? "Europe/London"
        guard let zone = TimeZone(identifier: name) else {
            throw section.failure("timezone", expected: "a time zone name such as Europe/London", found: name.quotedForDisplay)
        }
        timeZone = zone
        daily = try Self.rule(section, "daily", .daily, example: "\"08:00\"") ?? .daily(hour: 8, minute: 0)
        weekly = try Self.rule(section, "weekly", .weekly, example: "\"monday 08:00\"") ?? .weekly(weekday: 1, hour: 8, minute: 0)
        monthly = try Self.rule(section, "monthly", .monthly, example: "\"1 08:00\" (day of the month, then the time)")
            ?? .monthly(day: 1, hour: 8, minute: 0)
        if let text = try section.nonEmptyString("blog", expected: "immediate, or an interval such as 15m"), text.lowercased() != "immediate" {
            guard let seconds = ConfigDuration.parse(text), seconds >= 60, seconds <= 7 * 86400 else {
                throw section.failure("blog", expected: "immediate, or an interval from 1m to 7d such as 15m", found: text.quotedForDisplay)
            }
            blog = .every(seconds)
        } else {
            blog = .immediate
        }
        try section.finish()
    }

    public init(
        timeZone: TimeZone = TimeZone(identifier: "Europe/London")!, daily: ScheduleRule = .daily(hour: 8, minute: 0),
        weekly: ScheduleRule = .weekly(weekday: 1, hour: 8, minute: 0), monthly: ScheduleRule = .monthly(day: 1, hour: 8, minute: 0),
        blog: BlogTiming = .immediate
    ) {
        self.timeZone = timeZone
        self.daily = daily
        self.weekly = weekly
        self.monthly = monthly
        self.blog = blog
    }

    /// The rule for a cadence; nil for `off`.
    public func rule(for cadence: DigestCadence) -> ScheduleRule? {
        switch cadence {
        case .daily: daily
        case .weekly: weekly
        case .monthly: monthly
        case .off: nil
        }
    }

    private static func rule(_ section: ConfigSection, _ key: String, _ cadence: DigestCadence, example: String) throws -> ScheduleRule? {
        guard let text = try section.nonEmptyString(key) else { return nil }
        guard let rule = ScheduleRule.parse(text, cadence: cadence) else {
            throw section.failure(key, expected: "a time such as \(example)", found: text.quotedForDisplay)
        }
        return rule
    }
}
