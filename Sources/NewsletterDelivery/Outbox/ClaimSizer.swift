import Foundation

/// How many messages a sender sharing the database with others claims at once: about half a
/// second of its own sending, between two per connection and the usual batch. Behind a
/// distant relay a daemon sends a few dozen messages a second; a fixed batch of fifty would
/// leave one daemon seconds of claimed work when the queue runs dry while the others idle,
/// and strand as much for a lease's length if it died.
package struct ClaimSizer {
    package let ceiling: Int
    package let floor: Int
    private var windowStart: Date?
    private var windowCount = 0
    /// Messages finished per second over the last window of two seconds or more.
    package private(set) var rate: Double?

    package init(ceiling: Int, connections: Int) {
        self.ceiling = max(1, ceiling)
        floor = min(self.ceiling, max(1, connections * 2))
    }

    /// `count` results were committed at `now`.
    package mutating func record(_ count: Int, at now: Date) {
        guard let start = windowStart else {
            windowStart = now
            return
        }
        windowCount += count
        let elapsed = now.timeIntervalSince(start)
        guard elapsed >= 2 else { return }
        rate = Double(windowCount) / elapsed
        windowStart = now
        windowCount = 0
    }

    package var batch: Int {
        guard let rate else { return ceiling }
        return min(ceiling, max(floor, Int((rate / 2).rounded(.up))))
    }
}
