import Foundation

/// `smtp.max_per_second`, `smtp.max_per_hour` and `smtp.max_per_day` across all connections:
/// a sliding window per limit. Each send reserves a moment; a full window pushes the moment to when its oldest
/// send leaves it. Thread-safe.
public final class RateLimiter: @unchecked Sendable {
    private struct Window {
        var limit: Int
        let span: TimeInterval
        var times: [TimeInterval] = []
        var head = 0

        mutating func earliest(after t: TimeInterval) -> TimeInterval {
            while head < times.count && times[head] <= t - span { head += 1 }
            if head > 4096 && head * 2 > times.count {
                times.removeFirst(head)
                head = 0
            }
            guard times.count - head >= limit else { return t }
            return times[times.count - limit] + span
        }

        mutating func record(_ t: TimeInterval) { times.append(t) }
    }

    private let lock = NSLock()
    private var windows: [Window]
    private var last: TimeInterval = 0
    private let perSecond: Int

    /// Limits of 0 mean no limit. `sentRecently` seeds the hourly and daily windows with
    /// sends before this sender started (from the outbox's `sent_at`, whichever daemon sent
    /// them), oldest first.
    public init(perSecond: Int, perHour: Int, perDay: Int = 0, sentRecently: [Date] = []) {
        self.perSecond = perSecond
        var windows: [Window] = []
        if perSecond > 0 { windows.append(Window(limit: perSecond, span: 1)) }
        let recent = sentRecently.map(\.timeIntervalSinceReferenceDate)
        for (limit, span) in [(perHour, 3600.0), (perDay, 86400.0)] where limit > 0 {
            var window = Window(limit: limit, span: span)
            window.times = recent
            windows.append(window)
        }
        self.windows = windows
    }

    public var isUnlimited: Bool { windows.isEmpty }

    /// Paces this sender at its share of the per-second limit when `senders` send at once
    /// (rounded down, so together they stay within it; at least one a second each). The
    /// hourly and daily limits are shared another way: through what each claims.
    public func sharePerSecond(among senders: Int) {
        guard perSecond > 0 else { return }
        lock.lock()
        defer { lock.unlock() }
        windows[0].limit = max(1, perSecond / max(1, senders))
    }

    /// The per-second limit now in force (0: none).
    public var perSecondLimit: Int {
        lock.lock()
        defer { lock.unlock() }
        return perSecond > 0 ? windows[0].limit : 0
    }

    /// Reserves a send and returns when it may happen (now, or later when a limit is reached).
    public func reserve(now: Date = Date()) -> Date {
        guard !windows.isEmpty else { return now }
        lock.lock()
        defer { lock.unlock() }
        var t = max(now.timeIntervalSinceReferenceDate, last)
        // A later moment for one window can fill another: settle on one that suits all.
        for _ in 0..<4 {
            var next = t
            for index in windows.indices { next = max(next, windows[index].earliest(after: next)) }
            if next == t { break }
            t = next
        }
        for index in windows.indices { windows[index].record(t) }
        last = t
        return Date(timeIntervalSinceReferenceDate: t)
    }
}
