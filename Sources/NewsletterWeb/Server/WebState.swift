import Foundation
import Logging
import NIOPosix
import NewsletterCore
import Synchronization

/// What every request shares: the store, the setup in force (swapped whole at SIGHUP), the
/// sign-up rate limits, and a way to wake delivery once something is queued.
public final class WebState: Sendable {
    public let store: Store
    let logger: Logger
    let now: @Sendable () -> Date
    let wake: @Sendable () -> Void
    let metrics: WebMetrics?
    /// SQLite calls block: they run on these threads, never on the event loops or the Swift
    /// concurrency pool.
    let threads: NIOThreadPool
    private let current: Mutex<Generation>
    private let topics = SiteTopicsCache()
    /// Hears each step of every web sign-up (tests show every path takes the same ones).
    let signupProbe: (@Sendable (SignupService.Step) -> Void)?

    struct Generation: Sendable {
        var setup: WebSetup
        var perAddress: SlidingWindowLimiter
        var perEmail: SlidingWindowLimiter
    }

    /// - Parameters:
    ///   - wake: called after a confirmation or welcome email is queued.
    ///   - metrics: what `/metrics` shows; nil serves no metrics.
    public init(
        setup: WebSetup, store: Store, logger: Logger, metrics: WebMetrics? = nil, now: @escaping @Sendable () -> Date = Date.init,
        wake: @escaping @Sendable () -> Void = {}, signupProbe: (@Sendable (SignupService.Step) -> Void)? = nil
    ) {
        self.signupProbe = signupProbe
        self.store = store
        self.logger = logger
        self.now = now
        self.wake = wake
        self.metrics = metrics
        threads = NIOThreadPool(numberOfThreads: 4)
        threads.start()
        current = Mutex(Self.generation(setup))
    }

    deinit {
        threads.shutdownGracefully { _ in }
    }

    var setup: WebSetup { current.withLock { $0.setup } }
    var perAddress: SlidingWindowLimiter { current.withLock { $0.perAddress } }
    var perEmail: SlidingWindowLimiter { current.withLock { $0.perEmail } }

    /// Puts a new setup in force; the rate limits keep their counts unless their settings changed.
    public func replace(_ setup: WebSetup) {
        current.withLock { generation in
            let old = generation.setup.http.rateLimit
            let limits = setup.http.rateLimit
            generation.setup = setup
            if old.perAddress != limits.perAddress || old.window != limits.window {
                generation.perAddress = SlidingWindowLimiter(limit: limits.perAddress, window: limits.window)
            }
            if old.perEmail != limits.perEmail || old.window != limits.window {
                generation.perEmail = SlidingWindowLimiter(limit: limits.perEmail, window: limits.window)
            }
        }
    }

    private static func generation(_ setup: WebSetup) -> Generation {
        let limits = setup.http.rateLimit
        return Generation(
            setup: setup, perAddress: SlidingWindowLimiter(limit: limits.perAddress, window: limits.window),
            perEmail: SlidingWindowLimiter(limit: limits.perEmail, window: limits.window))
    }

    enum RateLimit: String {
        case perAddress = "signup.client"
        case perEmail = "signup.email"
    }

    /// One sign-up attempt against a limit: in memory for a SQLite daemon, in the database
    /// when several daemons share it, so the limit holds across all of them.
    func attempt(_ limit: RateLimit, key: String, at now: Date) async throws -> (allowed: Bool, retryAfter: TimeInterval) {
        let limiter = limit == .perAddress ? perAddress : perEmail
        guard store.isShared else { return limiter.attempt(key, at: now) }
        return try await blocking { [store] in
            try store.write { tx in
                try tx.rateLimitAttempt(scope: limit.rawValue, key: key, limit: limiter.limit, window: limiter.window, at: now)
            }
        }
    }

    /// Runs blocking store work off the event loops.
    func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await threads.runIfActive(work)
    }

    /// The site's topics for the forms, read again only after a content scan.
    func siteTopics() async throws -> [String] {
        try await blocking { [store, topics] in try topics.topics(store) }
    }

    /// How many times the topics were read in full (tests).
    package var siteTopicScans: Int { topics.scans }

    var directory: SubscriberDirectory { SubscriberDirectory(store: store, actor: "web", now: now) }
}
