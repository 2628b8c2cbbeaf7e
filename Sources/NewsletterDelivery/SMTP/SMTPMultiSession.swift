import CCurl
import Foundation
import NewsletterCore

extension SMTPTransport {
    /// `slots` easy handles on one libcurl multi handle: one thread drives every connection.
    public func openSession(slots: Int) throws -> any MailSession {
        try SMTPMultiSession(transport: self, slots: slots)
    }
}

/// libcurl's multi interface: each slot is an easy handle (its own SMTP session, kept in
/// the multi handle's connection cache between messages); `poll` waits on all their sockets
/// at once. At most `slots` connections are open, one message on each.
final class SMTPMultiSession: MailSession, @unchecked Sendable {
    private let multi: UnsafeMutableRawPointer
    private var connections: [SMTPConnection]
    private var slotOf: [UnsafeMutableRawPointer: Int] = [:]
    private var busy: Set<Int> = []
    private var finished: [(slot: Int, result: SendResult)] = []
    private var closed = false

    init(transport: SMTPTransport, slots: Int) throws {
        guard let multi = curl_multi_init() else { throw NewsletterError.internalError("curl_multi_init failed") }
        self.multi = multi
        connections = []
        // One connection per slot, no more, and none kept beyond them.
        _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, slots)
        _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, slots)
        do {
            for slot in 0..<slots {
                let connection = try SMTPConnection(transport: transport)
                connections.append(connection)
                slotOf[connection.easyHandle] = slot
            }
        } catch {
            for connection in connections { connection.close() }
            curl_multi_cleanup(multi)
            throw error
        }
    }

    deinit { close() }

    func begin(_ message: OutgoingMessage, slot: Int) {
        let connection = connections[slot]
        if let failure = connection.prepare(message) {
            finished.append((slot, failure))
            return
        }
        let code = curl_multi_add_handle(multi, connection.easyHandle)
        guard code == CURLM_OK else {
            finished.append((slot, connection.finish(CURLE_FAILED_INIT)))
            return
        }
        busy.insert(slot)
    }

    func poll(timeout: TimeInterval) -> [(slot: Int, result: SendResult)] {
        // Drive the transfers until one finishes, the time is up or someone wakes us: an
        // SMTP transaction is several round trips, and returning after each would cost the
        // caller a pass over its slots per reply.
        let deadline = Date() + max(0, timeout)
        var running: Int32 = 0
        while true {
            curl_multi_perform(multi, &running)
            collect()
            if !finished.isEmpty || takeWakeup() { break }
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { break }
            var ready: Int32 = 0
            curl_multi_poll(multi, nil, 0, Int32(min(left, 3600) * 1000) + 1, &ready)
        }
        defer { finished = [] }
        return finished
    }

    private let wakeLock = NSLock()
    private var woken = false

    private func takeWakeup() -> Bool {
        wakeLock.lock()
        defer { wakeLock.unlock() }
        let was = woken
        woken = false
        return was
    }

    private func collect() {
        var left: Int32 = 0
        while let message = curl_multi_info_read(multi, &left) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle, let slot = slotOf[easy] else { continue }
            let code = message.pointee.data.result
            curl_multi_remove_handle(multi, easy)
            busy.remove(slot)
            finished.append((slot, connections[slot].finish(code)))
        }
    }

    /// Holds `wakeLock` across `curl_multi_wakeup`, and `close` takes it before
    /// `curl_multi_cleanup`: a wake-up racing a close either finishes first or sees `closed`.
    func wakeup() {
        wakeLock.lock()
        defer { wakeLock.unlock() }
        guard !closed else { return }
        woken = true
        curl_multi_wakeup(multi)
    }

    func close() {
        wakeLock.lock()
        defer { wakeLock.unlock() }
        guard !closed else { return }
        closed = true
        for slot in busy { curl_multi_remove_handle(multi, connections[slot].easyHandle) }
        busy = []
        for connection in connections { connection.close() }
        connections = []
        // Closes the cached connections (with QUIT).
        curl_multi_cleanup(multi)
    }
}
