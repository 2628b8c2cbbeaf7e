import Foundation
import NewsletterCompose
import NewsletterContent
import NewsletterCore

/// One generation of the daemon's configuration, checked whole: the settings, the site to
/// watch, and everything composing needs (templates, sender, links). SIGHUP builds a new one
/// and swaps it in only if it is complete; a bad file leaves the running one in force.
struct DaemonSetup: Sendable {
    let settings: Settings
    let site: WatchedSite
    let compose: ComposeEnvironment

    init(settings: Settings, store: Store) throws {
        self.settings = settings
        site = try WatchedSite(settings: settings)
        compose = try ComposeEnvironment.load(settings, store: store)
    }

    static func load(_ location: ConfigLocation, store: Store) throws -> DaemonSetup {
        try DaemonSetup(settings: try Settings.load(from: location), store: store)
    }
}

/// What the daemon needs from the delivery side: start sending, be told of new work, drain
/// the queue once, and stop gracefully.
public protocol DeliveryControl: AnyObject, Sendable {
    /// Starts sending in the background.
    func start() throws
    /// Something may have been queued: look at the queue now rather than at the next poll.
    func wake()
    /// Checks and builds what new settings need (rate limits, connections, the password)
    /// without touching what runs; throwing rejects the reload.
    func prepareReload(_ settings: Settings) throws -> PreparedReload
    /// Stops taking messages and waits up to `timeout` for the SMTP transactions in flight.
    func stop(within timeout: TimeInterval)
    /// Calls `answer` from the sender's own loop (at once when it is not running), for the watchdog.
    func probe(_ answer: @escaping @Sendable () -> Void)
    /// Test-only fault (see ``Daemon/checkTestWedge()``): the sender's loop stops for good.
    func wedgeForTesting()
    /// Sends everything due now, and returns when nothing due is left.
    func drain() throws -> DeliverySummary
}

/// One part of a new configuration, built and checked but not yet in force: a reload
/// either commits every part or discards every part.
public struct PreparedReload: Sendable {
    /// Puts it in force; cannot fail.
    public let commit: @Sendable () -> Void
    /// Drops it, leaving what runs as it was.
    public let discard: @Sendable () -> Void

    public init(commit: @escaping @Sendable () -> Void, discard: @escaping @Sendable () -> Void = {}) {
        self.commit = commit
        self.discard = discard
    }

    public static let unchanged = PreparedReload(commit: {})
}

/// What a drain did.
public struct DeliverySummary: Sendable, Equatable, CustomStringConvertible {
    public var sent = 0
    public var deferred = 0
    public var failed = 0
    public var cancelled = 0
    /// Every connection gave up: the relay could not be reached, or refused the session or login.
    public var relayUnavailable = false

    public init(sent: Int = 0, deferred: Int = 0, failed: Int = 0, cancelled: Int = 0, relayUnavailable: Bool = false) {
        self.sent = sent
        self.deferred = deferred
        self.failed = failed
        self.cancelled = cancelled
        self.relayUnavailable = relayUnavailable
    }

    public var description: String {
        "\(sent) sent, \(deferred) deferred, \(failed) failed, \(cancelled) cancelled"
    }
}
