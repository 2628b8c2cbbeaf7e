import Foundation

/// Fetches many addresses on threads of its own, politely: at most `perHost` requests at once
/// to one host, starts at least `delay` apart (or the host's robots.txt Crawl-delay), and a
/// fetcher (with its connections) kept per thread so that requests to a host reuse them.
package final class FetchPool: @unchecked Sendable {
    let options: HTTPFetchOptions
    let perHost: Int
    let delay: TimeInterval
    let threads: Int
    private let gate = NSCondition()
    private var busy: [String: Int] = [:]
    private var lastStart: [String: Date] = [:]
    private var hostDelay: [String: TimeInterval] = [:]
    private var cancelled = false

    package init(options: HTTPFetchOptions, perHost: Int, delay: TimeInterval, threads: Int = 8) {
        self.options = options
        self.perHost = max(1, perHost)
        self.delay = max(0, delay)
        self.threads = max(1, threads)
    }

    /// A longer delay for one host (its Crawl-delay, or a check spread over time), never a
    /// shorter one than the pool's or than one set before.
    package func setDelay(_ seconds: TimeInterval, forHost host: String) {
        gate.lock()
        hostDelay[host] = max(hostDelay[host] ?? delay, min(seconds, 60))
        gate.unlock()
    }

    /// Fetches every request and returns the results in the same order. Blocks the calling
    /// thread (never call it from Swift concurrency's pool) until all are done.
    package func fetchAll(_ requests: [HTTPRequest]) -> [Result<HTTPResponse, HTTPFetchError>] {
        guard !requests.isEmpty else { return [] }
        let results = ResultSlots(count: requests.count)
        let next = NextIndex()
        let workers = min(threads, requests.count)
        let group = DispatchGroup()
        for _ in 0..<workers {
            group.enter()
            let thread = Thread { [self] in
                let fetcher = HTTPFetcher(options: options)
                while let index = next.take(below: requests.count) {
                    let host = Self.host(of: requests[index].url)
                    guard enter(host) else {
                        results.set(index, .failure(.stopped))
                        continue
                    }
                    let result = fetcher.fetch(requests[index])
                    leave(host)
                    results.set(index, result)
                }
                group.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        group.wait()
        return results.values()
    }

    /// Stops starting requests: those not yet started fail with `.stopped` at once (the ones
    /// on the wire finish or time out). For a daemon that is shutting down or losing the lead.
    package func cancel() {
        gate.lock()
        cancelled = true
        gate.broadcast()
        gate.unlock()
    }

    package var isCancelled: Bool {
        gate.lock()
        defer { gate.unlock() }
        return cancelled
    }

    /// Waits for a free slot on `host` and for its delay since the last start; false when
    /// the pool was cancelled meanwhile.
    private func enter(_ host: String) -> Bool {
        gate.lock()
        defer { gate.unlock() }
        while true {
            if cancelled { return false }
            let wait = (lastStart[host].map { $0.addingTimeInterval(hostDelay[host] ?? delay) } ?? .distantPast).timeIntervalSinceNow
            if busy[host, default: 0] < perHost, wait <= 0 {
                busy[host, default: 0] += 1
                lastStart[host] = Date()
                return true
            }
            if wait > 0 { _ = gate.wait(until: Date().addingTimeInterval(wait)) } else { gate.wait() }
        }
    }

    private func leave(_ host: String) {
        gate.lock()
        busy[host, default: 1] -= 1
        gate.broadcast()
        gate.unlock()
    }

    /// `host:port`, lower-cased: what the limits are kept per.
    package static func host(of url: String) -> String {
        guard let components = URLComponents(string: url), let host = components.host?.lowercased() else { return "" }
        return components.port.map { "\(host):\($0)" } ?? host
    }
}

private final class ResultSlots: @unchecked Sendable {
    private var storage: [Result<HTTPResponse, HTTPFetchError>?]
    private let lock = NSLock()

    init(count: Int) {
        storage = Array(repeating: nil, count: count)
    }

    func set(_ index: Int, _ value: Result<HTTPResponse, HTTPFetchError>) {
        lock.lock()
        storage[index] = value
        lock.unlock()
    }

    func values() -> [Result<HTTPResponse, HTTPFetchError>] {
        lock.lock()
        defer { lock.unlock() }
        return storage.map { $0 ?? .failure(.transfer("not fetched")) }
    }
}

private final class NextIndex: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()

    func take(below count: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard value < count else { return nil }
        value += 1
        return value - 1
    }
}
