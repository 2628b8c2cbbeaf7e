import Foundation

/// SQL for job runs and the daemon's heartbeat.
extension StoreTransaction {
    public func jobRuns() throws -> [String: JobRun] {
        var runs: [String: JobRun] = [:]
        for row in try SQLRow.fetchAll(db, sql: "SELECT job, last_fire, finished_at, ok, detail FROM job_run") {
            let run = JobRun(job: row[0], lastFire: row[1], finishedAt: row[2], ok: row[3], detail: row[4])
            runs[run.job] = run
        }
        return runs
    }

    public func recordJobRun(_ run: JobRun) throws {
        try db.execute(
            sql: """
                INSERT INTO job_run (job, last_fire, finished_at, ok, detail) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (job) DO UPDATE SET last_fire = excluded.last_fire, finished_at = excluded.finished_at,
                    ok = excluded.ok, detail = excluded.detail
                """,
            arguments: [run.job, StoredDate.text(run.lastFire), StoredDate.text(run.finishedAt), run.ok, run.detail])
    }

    public func heartbeat() throws -> DaemonHeartbeat? {
        try SQLRow.fetchOne(
            db,
            sql: """
                SELECT pid, version, started_at, heartbeat_at, state, status_line, next_runs, last_error, last_error_at
                FROM daemon_status WHERE id = 1
                """
        ).map { row in
            DaemonHeartbeat(
                pid: row[0], version: row[1], startedAt: row[2], heartbeatAt: row[3], state: row[4], statusLine: row[5],
                nextRuns: MergeFields.decode(row[6]), lastError: row[7], lastErrorAt: row[8])
        }
    }

    public func writeHeartbeat(_ beat: DaemonHeartbeat) throws {
        try db.execute(
            sql: """
                INSERT INTO daemon_status (id, pid, version, started_at, heartbeat_at, state, status_line, next_runs, last_error, last_error_at)
                VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET pid = excluded.pid, version = excluded.version, started_at = excluded.started_at,
                    heartbeat_at = excluded.heartbeat_at, state = excluded.state, status_line = excluded.status_line,
                    next_runs = excluded.next_runs, last_error = excluded.last_error, last_error_at = excluded.last_error_at
                """,
            arguments: [
                beat.pid, beat.version, StoredDate.text(beat.startedAt), StoredDate.text(beat.heartbeatAt), beat.state, beat.statusLine,
                MergeFields.encode(beat.nextRuns), beat.lastError, StoredDate.text(beat.lastErrorAt),
            ])
    }
}

extension StoreTransaction {
    /// Messages not yet sent, failed or cancelled: what the status line calls the queue.
    public func unsentCount() throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE state IN ('queued', 'sending', 'deferred')") ?? 0
    }
}
