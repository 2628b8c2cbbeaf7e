import Foundation

/// What `newsletterctl status` reports: whether the daemon is running, when each digest runs
/// next, how the last runs went, the queue, the last content scan and the last error.
public struct ServiceStatus: Sendable {
    public var heartbeat: DaemonHeartbeat?
    /// The heartbeat is recent and its process is alive.
    public var running: Bool
    /// Next fire time of each digest cadence, from the current config.
    public var nextRuns: [(cadence: DigestCadence, at: Date)]
    public var lastRuns: [JobRun]
    public var queue: [DeliveryState: Int]
    public var lastScan: ContentScanState?
    /// Every daemon recorded in the database, the most recently heard from first.
    public var daemons: [DaemonInstance]
    /// Website addresses whose last fetch failed, the longest failing first.
    public var failingAddresses: [WebResource] = []

    /// A heartbeat older than this means the daemon stopped without saying so.
    public static let staleAfter: TimeInterval = 90

    public static func gather(settings: Settings, store: Store, now: Date = Date()) throws -> ServiceStatus {
        try store.read { tx in
            let heartbeat = try tx.heartbeat()
            let schedule = settings.schedule
            return ServiceStatus(
                heartbeat: heartbeat,
                running: heartbeat.map { isAlive($0, now: now, localPid: !store.isShared) } ?? false,
                nextRuns: [DigestCadence.daily, .weekly, .monthly].compactMap { cadence in
                    schedule.rule(for: cadence).map { (cadence, $0.nextFire(after: now, in: schedule.timeZone)) }
                },
                lastRuns: try tx.jobRuns().values.sorted { $0.job < $1.job },
                queue: try tx.outboxCounts(),
                lastScan: try tx.contentScanState(),
                daemons: try tx.daemonInstances(),
                failingAddresses: try tx.webResources(failingOnly: true).values
                    .sorted { ($0.failingSince ?? .distantFuture, $0.url) < ($1.failingSince ?? .distantFuture, $1.url) })
        }
    }

    /// Whether a daemon heard from recently is still there.
    public static func isLive(_ instance: DaemonInstance, now: Date = Date()) -> Bool {
        instance.role != DaemonInstance.stopped && now.timeIntervalSince(instance.heartbeatAt) < staleAfter
    }

    /// `localPid`: the daemon runs on this host, so its pid can be checked too (a shared
    /// database's daemons may be on other hosts).
    static func isAlive(_ beat: DaemonHeartbeat, now: Date, localPid: Bool = true) -> Bool {
        guard ["starting", "running", "reloading"].contains(beat.state), now.timeIntervalSince(beat.heartbeatAt) < staleAfter else {
            return false
        }
        guard localPid else { return true }
        // The pid may be in another PID namespace (systemd's PrivatePIDs), or belong to
        // another user: EPERM still means it exists.
        return kill(beat.pid, 0) == 0 || errno == EPERM
    }
}
