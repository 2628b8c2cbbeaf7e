import Foundation

/// `links:`: how long a link secret retired by `newsletterctl links rotate-secret` still
/// verifies the links it signed.
public struct LinkSettings: Sendable, Equatable {
    public static let defaultPreviousKeyDays = 90
    /// `previous_key_days`, in seconds.
    public var previousKeyLifetime: TimeInterval

    init(_ section: ConfigSection) throws {
        let days = try section.int("previous_key_days", in: 0...3650) ?? Self.defaultPreviousKeyDays
        previousKeyLifetime = TimeInterval(days) * 86400
        try section.finish()
    }

    public init(previousKeyDays: Int = defaultPreviousKeyDays) {
        previousKeyLifetime = TimeInterval(previousKeyDays) * 86400
    }
}

/// `subscribers:`: how long a web sign-up may stay unconfirmed before it is deleted.
public struct SubscriberSettings: Sendable, Equatable {
    public static let defaultPendingExpiry: TimeInterval = 30 * 86400
    /// `pending_expiry`: a duration such as `30d`; `0` keeps pending sign-ups for ever.
    public var pendingExpiry: TimeInterval

    init(_ section: ConfigSection) throws {
        pendingExpiry = try section.duration("pending_expiry", in: 0...(10 * 365 * 86400)) ?? Self.defaultPendingExpiry
        try section.finish()
    }

    public init(pendingExpiry: TimeInterval = defaultPendingExpiry) {
        self.pendingExpiry = pendingExpiry
    }
}
