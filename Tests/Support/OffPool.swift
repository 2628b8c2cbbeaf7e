import Foundation

// Swift Testing runs every test, synchronous or async, as a task on Swift concurrency's
// cooperative pool, which has one thread per core: two on CI. A test that blocks one of
// those threads (waiting for a process, sleeping, holding a lock across a long call) takes
// it from every other test of the run, and with two such tests nothing else runs at all.
// Blocking work therefore runs on a thread of its own and the test awaits it; waiting for a
// condition suspends the task instead of sleeping on the thread.

/// Runs `work` on a new thread, outside the cooperative pool, and resumes with its result.
public func offPool<T>(_ work: @escaping @Sendable () throws -> sending T) async throws -> sending T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        let thread = Thread {
            do { continuation.resume(returning: try work()) } catch { continuation.resume(throwing: error) }
        }
        thread.stackSize = 4 << 20
        thread.start()
    }
}

/// Runs `work` on a new thread, outside the cooperative pool, and resumes with its result.
public func offPool<T>(_ work: @escaping @Sendable () -> sending T) async -> sending T {
    await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
        let thread = Thread { continuation.resume(returning: work()) }
        thread.stackSize = 4 << 20
        thread.start()
    }
}

/// Checks `condition` every 20 ms until it holds or `timeout` passes, and says whether it
/// came true. The wait suspends the task, so it never holds a pool thread. `timeout` is a
/// bound on a failure, never an assertion on speed: give it room for a loaded machine.
@discardableResult
public func waitUntil(timeout: TimeInterval = 60, _ condition: () throws -> Bool) async rethrows -> Bool {
    let deadline = Date() + timeout
    while Date() < deadline {
        if try condition() { return true }
        try? await Task.sleep(nanoseconds: 20_000_000)
    }
    return try condition()
}

extension Binaries {
    /// Runs `name` with `arguments` and waits for it off the cooperative pool.
    public static func run(
        _ name: String, _ arguments: [String], environment: [String: String] = [:], stdin: String? = nil,
        currentDirectory: String? = nil
    ) async throws -> CommandResult {
        let process = try start(name, arguments, environment: environment, currentDirectory: currentDirectory)
        if let stdin {
            let input = Data(stdin.utf8)
            // A large stdin blocks on a full pipe until the child reads it: off the pool too.
            await offPool { [process] in
                process.stdinPipe?.fileHandleForWriting.write(input)
                try? process.stdinPipe?.fileHandleForWriting.close()
            }
        } else {
            try? process.stdinPipe?.fileHandleForWriting.close()
        }
        return await process.wait()
    }
}

/// As `waitUntil(timeout:_:)`, for a condition that itself awaits (runs a command, say).
@discardableResult
public func waitUntil(timeout: TimeInterval = 60, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = Date() + timeout
    while Date() < deadline {
        if try await condition() { return true }
        try? await Task.sleep(nanoseconds: 20_000_000)
    }
    return try await condition()
}
