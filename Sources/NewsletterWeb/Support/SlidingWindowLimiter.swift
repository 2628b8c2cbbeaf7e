import Foundation
import Synchronization

/// At most `limit` events per key within any `window`: each key keeps the times of its
/// last `limit` events. Memory is bounded: expired keys are dropped as the table grows,
/// and past `capacity` keys the least recently seen goes.
///
/// In memory, per process: newsletterd is the only process serving the pages, and a
/// restart forgetting the counts is harmless.
public final class SlidingWindowLimiter: Sendable {
    public let limit: Int
    public let window: TimeInterval
    let capacity: Int
    private let table = Mutex(Table())

    private struct Table {
        var events: [String: [Date]] = [:]
        var nextSweep = 1024
    }

    public init(limit: Int, window: TimeInterval, capacity: Int = 100_000) {
        self.limit = limit
        self.window = window
        self.capacity = capacity
    }

    /// Records an event for `key` at `now` if fewer than `limit` happened in the window
    /// before it; returns whether it was allowed, and if not, how long until it would be.
    public func attempt(_ key: String, at now: Date) -> (allowed: Bool, retryAfter: TimeInterval) {
        table.withLock { table in
            let start = now.addingTimeInterval(-window)
            var times = (table.events[key] ?? []).filter { $0 > start }
            if times.count >= limit {
                table.events[key] = times
                let retry = times[times.count - limit].addingTimeInterval(window).timeIntervalSince(now)
                return (false, max(1, retry))
            }
            times.append(now)
            table.events[key] = times
            if table.events.count >= table.nextSweep {
                table.events = table.events.filter { $0.value.last.map { $0 > start } ?? false }
                if table.events.count >= capacity {
                    let byAge = table.events.sorted { ($0.value.last ?? .distantPast) < ($1.value.last ?? .distantPast) }
                    for (stale, _) in byAge.prefix(table.events.count - capacity / 2) { table.events.removeValue(forKey: stale) }
                }
                table.nextSweep = min(capacity, max(1024, table.events.count * 2))
            }
            return (true, 0)
        }
    }
}
