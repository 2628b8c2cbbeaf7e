import Foundation

/// The work done reading pages, in bytes (or scalars) examined, for tests and benchmarks:
/// "a page is read in one pass" is a property of this count, which a loaded machine cannot
/// disturb as it does a clock. The parsers count in local integers and report once per page
/// (or per Markdown line made plain) to the counter bound to the current task; with none
/// bound, which is always the case in the daemon, a report is one task-local read.
package final class ParseWork: @unchecked Sendable {
    @TaskLocal package static var current: ParseWork?

    // Reports come from the task that bound the counter, or from its child tasks.
    private let lock = NSLock()
    private var total = 0

    package init() {}

    /// Steps counted so far.
    package var steps: Int {
        lock.lock()
        defer { lock.unlock() }
        return total
    }

    /// Runs `body` with a new counter bound to the task; returns its result and the steps.
    package static func counting<T>(_ body: () throws -> T) rethrows -> (result: T, steps: Int) {
        let counter = ParseWork()
        let result = try $current.withValue(counter) { try body() }
        return (result, counter.steps)
    }

    static func record(_ steps: Int) {
        guard let counter = current else { return }
        counter.lock.lock()
        counter.total += steps
        counter.lock.unlock()
    }
}
