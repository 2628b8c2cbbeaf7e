import Foundation
import NewsletterCore

/// Several connections driven from one thread: the runner starts a send on a free slot,
/// then polls for the sends that finished. SMTP does this with libcurl's multi interface,
/// which waits on every connection at once instead of parking a thread per connection.
public protocol MailSession: AnyObject, Sendable {
    /// Starts sending `message` on `slot`, which must be free (not started, or polled back).
    func begin(_ message: OutgoingMessage, slot: Int)
    /// Waits up to `timeout` for sends to finish and returns them; returns early on ``wakeup()``.
    func poll(timeout: TimeInterval) -> [(slot: Int, result: SendResult)]
    /// Makes a `poll` in progress on another thread return now. Thread-safe.
    func wakeup()
    /// Ends every connection; the session is not used again.
    func close()
}

extension MailTransport {
    /// By default, a session sends one message at a time through ``connect()`` connections,
    /// one per slot.
    public func openSession(slots: Int) throws -> any MailSession {
        SequentialSession(transport: self, slots: slots)
    }
}

/// Sends on the calling thread, in `begin`: for transports without a multi interface.
final class SequentialSession: MailSession, @unchecked Sendable {
    private let transport: any MailTransport
    private var connections: [(any MailConnection)?]
    private var finished: [(slot: Int, result: SendResult)] = []
    private let condition = NSCondition()
    private var woken = false

    init(transport: any MailTransport, slots: Int) {
        self.transport = transport
        connections = Array(repeating: nil, count: slots)
    }

    func begin(_ message: OutgoingMessage, slot: Int) {
        if connections[slot] == nil {
            do {
                connections[slot] = try transport.connect()
            } catch {
                finished.append((slot, SendResult(.temporary, text: "could not open a connection: \(error)", connectionFailed: true)))
                return
            }
        }
        let result = connections[slot]!.send(message)
        if result.connectionFailed {
            connections[slot]?.close()
            connections[slot] = nil
        }
        finished.append((slot, result))
    }

    func poll(timeout: TimeInterval) -> [(slot: Int, result: SendResult)] {
        if finished.isEmpty {
            condition.lock()
            let deadline = Date() + timeout
            while !woken && Date() < deadline { _ = condition.wait(until: deadline) }
            woken = false
            condition.unlock()
        }
        defer { finished = [] }
        return finished
    }

    func wakeup() {
        condition.lock()
        woken = true
        condition.broadcast()
        condition.unlock()
    }

    func close() {
        for connection in connections { connection?.close() }
        connections = []
    }
}
