import Foundation

/// Which changed paths are ready to be read: those quiet for `quiet` seconds since their last
/// change, so a file still being written is not read half-way. A path that never goes quiet
/// (a file appended to without pause) is read anyway after `longest`.
///
/// Pure value: times are passed in (seconds on a monotonic clock), so tests need no sleeping.
struct DebounceSchedule: Sendable {
    let quiet: TimeInterval
    let longest: TimeInterval
    private var first: [String: TimeInterval] = [:]
    private var last: [String: TimeInterval] = [:]

    init(quiet: TimeInterval, longest: TimeInterval? = nil) {
        self.quiet = quiet
        self.longest = longest ?? max(quiet * 10, 30)
    }

    var isEmpty: Bool { last.isEmpty }

    /// `path` changed at `time`.
    mutating func note(_ path: String, at time: TimeInterval) {
        if first[path] == nil { first[path] = time }
        last[path] = time
    }

    /// Removes and returns the paths ready at `time`, sorted.
    mutating func takeDue(at time: TimeInterval) -> [String] {
        let due = last.compactMap { path, changed -> String? in
            time - changed >= quiet || time - (first[path] ?? changed) >= longest ? path : nil
        }
        for path in due {
            first[path] = nil
            last[path] = nil
        }
        return due.sorted()
    }

    /// When the next path becomes ready, if any is waiting.
    var nextDeadline: TimeInterval? {
        last.map { path, changed in min(changed + quiet, (first[path] ?? changed) + longest) }.min()
    }

    mutating func removeAll() {
        first.removeAll()
        last.removeAll()
    }
}
