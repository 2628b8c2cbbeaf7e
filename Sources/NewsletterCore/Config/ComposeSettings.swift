import Foundation

/// `templates:`: where the email (and web page) templates are.
public struct TemplateSettings: Sendable, Equatable {
    /// The folder holding digest.txt, digest.html and the rest (absolute). Default: the
    /// `templates` folder beside the config file.
    public var dir: String

    init(_ section: ConfigSection, relativeTo folder: URL) throws {
        dir = ConfigPath.resolve(try section.nonEmptyString("dir", expected: "the path of a templates folder") ?? "templates", relativeTo: folder)
        try section.finish()
    }

    public init(dir: String) {
        self.dir = dir
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
    /// The time zone digest times and periods are reckoned in.
    public var timeZone: TimeZone

    init(_ section: ConfigSection) throws {
        let name = try section.nonEmptyString("timezone", expected: "a time zone name such as Europe/London") ?? "Europe/London"
        guard let zone = TimeZone(identifier: name) else {
            throw section.failure("timezone", expected: "a time zone name such as Europe/London", found: name.quotedForDisplay)
        }
        timeZone = zone
        try section.finish()
    }

    public init(timeZone: TimeZone = TimeZone(identifier: "Europe/London")!) {
        self.timeZone = timeZone
    }
}
