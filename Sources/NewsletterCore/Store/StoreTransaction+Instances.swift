import Foundation

/// One newsletterd as it last recorded itself.
public struct DaemonInstance: Sendable, Equatable {
    /// Leads: scans the content and runs the schedule. Every daemon serves the pages and
    /// stands ready to send.
    public static let leader = "leader"
    public static let follower = "follower"
    public static let stopped = "stopped"
    /// A leader's row once another daemon has taken the lead, or one not heard from lately.
    public static let gone = "gone"

    public var id: String
    public var host: String
    public var pid: Int
    public var version: String
    public var role: String
    public var startedAt: Date
    public var heartbeatAt: Date

    public init(id: String, host: String, pid: Int, version: String, role: String, startedAt: Date, heartbeatAt: Date) {
        self.id = id
        self.host = host
        self.pid = pid
        self.version = version
        self.role = role
        self.startedAt = startedAt
        self.heartbeatAt = heartbeatAt
    }
}

extension StoreTransaction {
    public func recordDaemonInstance(_ instance: DaemonInstance) throws {
        try db.execute(
            sql: """
                INSERT INTO daemon_instance (id, host, pid, version, role, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET role = excluded.role, version = excluded.version, heartbeat_at = excluded.heartbeat_at
                """,
            arguments: [
                instance.id, instance.host, instance.pid, instance.version, instance.role, StoredDate.text(instance.startedAt),
                StoredDate.text(instance.heartbeatAt),
            ])
    }

    /// Every daemon recorded, the most recently heard from first.
    public func daemonInstances() throws -> [DaemonInstance] {
        try SQLRow.fetchAll(
            db, sql: "SELECT id, host, pid, version, role, started_at, heartbeat_at FROM daemon_instance ORDER BY heartbeat_at DESC, id"
        ).map { DaemonInstance(id: $0[0], host: $0[1], pid: $0[2], version: $0[3], role: $0[4], startedAt: $0[5], heartbeatAt: $0[6]) }
    }

    /// A daemon that has just taken the lead knows no other holds it: rows still saying
    /// leader are of a daemon that died or lost its connection (which corrects its row at
    /// its next heartbeat if it lives).
    public func markOtherLeadersGone(except id: String) throws {
        try db.execute(
            sql: "UPDATE daemon_instance SET role = ? WHERE role = ? AND id <> ?", arguments: [DaemonInstance.gone, DaemonInstance.leader, id])
    }

    /// How many daemons run now (leading or not) by their heartbeat since `since`: senders
    /// share `smtp.max_per_second` between them.
    public func liveDaemonCount(since: Date) throws -> Int {
        try Int.fetchOne(
            db, sql: "SELECT COUNT(*) FROM daemon_instance WHERE role IN (?, ?) AND heartbeat_at >= ?",
            arguments: [DaemonInstance.leader, DaemonInstance.follower, StoredDate.text(since)]) ?? 0
    }

    /// Forgets daemons not heard from since `before`: stopped ones, and ones that died.
    @discardableResult
    public func pruneDaemonInstances(before: Date) throws -> Int {
        try db.execute(sql: "DELETE FROM daemon_instance WHERE heartbeat_at < ?", arguments: [StoredDate.text(before)])
        return db.changesCount
    }
}
