import ArgumentParser
import CommandSupport
import Foundation
import NewsletterCore

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Whether newsletterd is running, when digests go out next, the queue, the last scan and the last error.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "text or json.")
    var format: TextFormat = .text

    func run() throws {
        let (settings, store) = try global.open()
        let status = try ServiceStatus.gather(settings: settings, store: store)
        let zone = settings.schedule.timeZone
        let out = StandardOutput.shared
        switch format {
        case .json:
            out.line(String(decoding: try JSONSerialization.data(withJSONObject: json(status, zone: zone), options: [.sortedKeys, .prettyPrinted]), as: UTF8.self))
        case .text:
            if let beat = status.heartbeat {
                if status.running {
                    out.line("newsletterd: running (pid \(beat.pid), version \(beat.version), since \(DisplayDate.minute(beat.startedAt)), "
                        + "heartbeat \(Int(Date().timeIntervalSince(beat.heartbeatAt)))s ago)")
                    if !beat.statusLine.isEmpty { out.line("  \(beat.statusLine.escapingControlCharacters)") }
                } else {
                    out.line("newsletterd: not running (last seen \(DisplayDate.minute(beat.heartbeatAt)), \(beat.state))")
                }
            } else {
                out.line("newsletterd: has never run against this database")
            }
            if !status.daemons.isEmpty {
                out.line("Daemons:")
                var table = TextTable(headers: ["host", "pid", "version", "role", "started", "last heartbeat"])
                for daemon in status.daemons {
                    // A daemon not heard from lately died without saying so.
                    let role = ServiceStatus.isLive(daemon) || daemon.role == DaemonInstance.stopped ? daemon.role : DaemonInstance.gone
                    table.append([
                        daemon.host, "\(daemon.pid)", daemon.version, role, DisplayDate.minute(daemon.startedAt),
                        "\(Int(Date().timeIntervalSince(daemon.heartbeatAt)))s ago",
                    ])
                }
                for line in table.render().split(separator: "\n") { out.line("  " + line) }
            }
            out.line("Next digests:")
            for (cadence, at) in status.nextRuns { out.line("  \(cadence.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0))\(describe(at, zone))") }
            if !status.lastRuns.isEmpty {
                out.line("Last runs:")
                for run in status.lastRuns {
                    out.line("  \(run.job.padding(toLength: 16, withPad: " ", startingAt: 0))\(describe(run.finishedAt, zone))  \(run.ok ? "ok" : "FAILED")  \(run.detail.escapingControlCharacters)")
                }
            }
            out.line("Queue: " + DeliveryState.allCases.map { "\(status.queue[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", "))
            if let scan = status.lastScan {
                out.line("Last content scan: \(describe(scan.lastScanAt, zone)) (full scan \(describe(scan.lastFullScanAt, zone)))")
            } else {
                out.line("Last content scan: never")
            }
            if !status.failingAddresses.isEmpty {
                out.line("Website addresses failing: \(status.failingAddresses.count) (each keeps what was last read; retried with backoff)")
                var table = TextTable(headers: ["url", "failures", "since", "reason"], maxWidths: [60, 8, 26, 70])
                for resource in status.failingAddresses.prefix(20) {
                    table.append([
                        resource.url, "\(resource.failures)", resource.failingSince.map { describe($0, zone) } ?? "", resource.lastError ?? "",
                    ])
                }
                for line in table.render().split(separator: "\n") { out.line("  " + String(line).escapingControlCharacters) }
            }
            if let error = status.heartbeat?.lastError, let at = status.heartbeat?.lastErrorAt {
                // Recorded by the daemon; it may quote a path or a relay's reply.
                out.line("Last error (\(describe(at, zone))): \(error.escapingControlCharacters)")
            }
        }
    }

    private func describe(_ date: Date, _ zone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "EEE yyyy-MM-dd HH:mm zzz"
        return formatter.string(from: date)
    }

    private func json(_ status: ServiceStatus, zone: TimeZone) -> [String: Any] {
        var daemon: [String: Any] = ["running": status.running]
        if let beat = status.heartbeat {
            daemon["pid"] = beat.pid
            daemon["version"] = beat.version
            daemon["state"] = beat.state
            daemon["started_at"] = DisplayDate.iso(beat.startedAt)
            daemon["heartbeat_at"] = DisplayDate.iso(beat.heartbeatAt)
            daemon["status"] = beat.statusLine
        }
        var lastError: Any = NSNull()
        if let message = status.heartbeat?.lastError, let at = status.heartbeat?.lastErrorAt {
            lastError = ["message": message, "at": DisplayDate.iso(at)]
        }
        var scan: Any = NSNull()
        if let last = status.lastScan {
            scan = ["at": DisplayDate.iso(last.lastScanAt), "full_at": DisplayDate.iso(last.lastFullScanAt), "baseline_at": DisplayDate.iso(last.baselineAt)]
        }
        return [
            "daemon": daemon,
            "next_runs": Dictionary(uniqueKeysWithValues: status.nextRuns.map { ($0.cadence.rawValue, DisplayDate.iso($0.at)) }),
            "last_runs": Dictionary(uniqueKeysWithValues: status.lastRuns.map {
                ($0.job, ["scheduled": DisplayDate.iso($0.lastFire), "finished": DisplayDate.iso($0.finishedAt), "ok": $0.ok, "detail": $0.detail] as [String: Any])
            }),
            "queue": Dictionary(uniqueKeysWithValues: DeliveryState.allCases.map { ($0.rawValue, status.queue[$0] ?? 0) }),
            "last_scan": scan,
            "last_error": lastError,
            "website_failing": status.failingAddresses.map { resource -> [String: Any] in
                [
                    "url": resource.url, "role": resource.role.rawValue, "failures": resource.failures,
                    "failing_since": resource.failingSince.map(DisplayDate.iso) ?? NSNull(), "reason": resource.lastError ?? NSNull(),
                ]
            },
            "daemons": status.daemons.map { daemon -> [String: Any] in
                [
                    "host": daemon.host, "pid": daemon.pid, "version": daemon.version, "role": daemon.role,
                    "live": ServiceStatus.isLive(daemon), "started_at": DisplayDate.iso(daemon.startedAt),
                    "heartbeat_at": DisplayDate.iso(daemon.heartbeatAt),
                ]
            },
        ]
    }
}
