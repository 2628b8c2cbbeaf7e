import Foundation

/// The last completed run of a scheduled job.
public struct JobRun: Sendable, Equatable {
    /// `digest.daily`, `digest.weekly`, `digest.monthly`, `blog`, `scan`.
    public var job: String
    /// The scheduled fire time this run stood for.
    public var lastFire: Date
    public var finishedAt: Date
    public var ok: Bool
    /// One line: what it did, or what went wrong.
    public var detail: String

    public init(job: String, lastFire: Date, finishedAt: Date, ok: Bool, detail: String) {
        self.job = job
        self.lastFire = lastFire
        self.finishedAt = finishedAt
        self.ok = ok
        self.detail = detail
    }

    public static func digestJob(_ cadence: DigestCadence) -> String { "digest.\(cadence.rawValue)" }
}

/// What the running daemon last said about itself.
public struct DaemonHeartbeat: Sendable, Equatable {
    public var pid: Int32
    public var version: String
    public var startedAt: Date
    public var heartbeatAt: Date
    /// `starting`, `running`, `reloading`, `stopping`, `stopped`.
    public var state: String
    public var statusLine: String
    /// Job name to its next fire time, ISO 8601.
    public var nextRuns: [String: String]
    public var lastError: String?
    public var lastErrorAt: Date?

    public init(
        pid: Int32, version: String, startedAt: Date, heartbeatAt: Date, state: String, statusLine: String, nextRuns: [String: String],
        lastError: String? = nil, lastErrorAt: Date? = nil
    ) {
        self.pid = pid
        self.version = version
        self.startedAt = startedAt
        self.heartbeatAt = heartbeatAt
        self.state = state
        self.statusLine = statusLine
        self.nextRuns = nextRuns
        self.lastError = lastError
        self.lastErrorAt = lastErrorAt
    }
}

/// Which digest cadences are due at `now`: those whose latest scheduled fire time is later
/// than the fire time of their last successful run (or that never ran, or whose last run
/// failed). A cadence missed several times while the daemon was down is due once, for its
/// latest fire time.
public enum CatchUp {
    public struct Due: Sendable, Equatable {
        public var cadence: DigestCadence
        /// The scheduled time this run stands for.
        public var fire: Date
        /// When the fire time is more than a minute past: a run the daemon missed.
        public var late: Bool
        /// The last run for this fire time failed: this is a retry.
        public var retry: Bool = false
    }

    public static func due(at now: Date, schedule: ScheduleSettings, lastRuns: [String: JobRun]) -> [Due] {
        [DigestCadence.daily, .weekly, .monthly].compactMap { cadence in
            guard let rule = schedule.rule(for: cadence) else { return nil }
            let fire = rule.previousFire(atOrBefore: now, in: schedule.timeZone)
            let last = lastRuns[JobRun.digestJob(cadence)]
            if let last, last.ok, last.lastFire >= fire { return nil }
            return Due(cadence: cadence, fire: fire, late: now.timeIntervalSince(fire) > 60, retry: last.map { !$0.ok && $0.lastFire >= fire } ?? false)
        }
    }
}
