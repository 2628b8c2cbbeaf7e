import Foundation
import NewsletterCore

/// The sender threads: each drives its share of the connections through one
/// ``MailSession``, taking messages from the ``DeliveryCoordinator`` and handing back results.
extension DeliveryRunner {
    /// One slot per connection: what it is doing now.
    enum Slot {
        case idle
        /// Waiting for the rate limit to allow this send; claimed in `epoch` (``ClaimHold/epoch``).
        case scheduled(OutboxMessage, at: Date, epoch: Int)
        case busy(OutboxMessage)
        /// Paused after connection failures in a row.
        case paused(until: Date)
        /// Given up for this drain.
        case retired
    }

    func launchSenders(drain: Bool, sessions: [(session: any MailSession, slots: Int)]) {
        condition.lock()
        coordinator.sendersStarted(sessions.reduce(0) { $0 + $1.slots })
        activeSessions = sessions.map(\.session)
        condition.unlock()
        var first = 0
        for (index, (session, slots)) in sessions.enumerated() {
            workersDone.enter()
            let offset = first
            let thread = Thread { [self] in
                let retired = sendLoop(session: session, slots: slots, offset: offset, draining: drain)
                // Out of the list `signalAll` wakes before it is closed: a wake-up after
                // `close` would reach a freed libcurl handle.
                condition.lock()
                activeSessions.removeAll { $0 === session }
                condition.unlock()
                session.close()
                condition.lock()
                // Its retired slots were counted off as they retired; count off the rest.
                coordinator.sendersLeft(slots - retired)
                condition.broadcast()
                condition.unlock()
                workersDone.leave()
            }
            thread.name = "smtp-\(index)"
            thread.start()
            first += slots
        }
    }

    /// The sender thread: keeps every slot busy while there is work, the rate limits allow
    /// it and fewer than `maxUncommitted` results wait for their commit; the renderer and
    /// the message checks run here, outside any transaction.
    /// Returns how many of its slots retired (and were counted off `liveWorkers`).
    private func sendLoop(session: any MailSession, slots count: Int, offset: Int, draining: Bool) -> Int {
        var slots = [Slot](repeating: .idle, count: count)
        var failures = [Int](repeating: 0, count: count)
        var retiredSlots = 0
        var random = SystemRandomNumberGenerator()
        while true {
            // Hand out work to free slots.
            var starts: [(slot: Int, message: OutboxMessage)] = []
            var immediate: [(slot: Int, message: OutboxMessage, result: SendResult)] = []
            let clock = Date()
            condition.lock()
            let busyCount = slots.filter { if case .busy = $0 { return true } else { return false } }.count
            if coordinator.phase != .sending {
                // Not begun: hand rate-limited messages back so they are released with the rest
                // (or, for new settings, sent by the senders that take over).
                for index in slots.indices {
                    if case .scheduled(let message, _, let epoch) = slots[index] {
                        coordinator.putBack(message, epoch: epoch)
                        slots[index] = .idle
                    }
                }
                if busyCount == 0 {
                    condition.broadcast()
                    condition.unlock()
                    return retiredSlots
                }
            } else {
                for index in slots.indices {
                    switch slots[index] {
                    case .paused(let until) where until <= clock:
                        slots[index] = .idle
                    case .scheduled(let message, _, let epoch) where !coordinator.mayBegin(epoch: epoch, at: clock):
                        // Claims that may have expired are not begun: another sender may have them now.
                        coordinator.putBack(message, epoch: epoch)
                        slots[index] = .idle
                        condition.broadcast()
                    case .scheduled(let message, let at, _) where at <= clock:
                        starts.append((index, message))
                        slots[index] = .busy(message)
                    default: break
                    }
                    guard case .idle = slots[index], let (message, epoch) = coordinator.take(at: clock) else { continue }
                    if let limiter, case let at = limiter.reserve(now: clock), at > clock {
                        slots[index] = .scheduled(message, at: at, epoch: epoch)
                    } else {
                        starts.append((index, message))
                        slots[index] = .busy(message)
                    }
                }
            }
            condition.unlock()

            // The last look before the wire: an unsubscribe or an erase since the claim wins.
            var refusedAny = false
            if !starts.isEmpty {
                do {
                    let batch = starts.map(\.message)
                    let refusals = try lastLook.check(batch)
                    if !refusals.isEmpty {
                        refusedAny = true
                        cancelRefused(refusals, among: batch)
                        for entry in starts where refusals[entry.message.id] != nil { slots[entry.slot] = .idle }
                        starts.removeAll { refusals[$0.message.id] != nil }
                        condition.lock()
                        coordinator.refused(refusals.count)
                        totals.cancelled += refusals.count
                        condition.broadcast()
                        condition.unlock()
                    }
                } catch {
                    // Unchecked is unsent: tried again later, like any temporary failure.
                    for (slot, message) in starts {
                        immediate.append((slot, message, SendResult(.temporary, text: "not sent yet: could not check that the recipient is still subscribed: \(error)")))
                    }
                    starts = []
                }
            }

            for (slot, message) in starts {
                switch build(message) {
                case .success(let outgoing): session.begin(outgoing, slot: slot)
                case .failure(let result): immediate.append((slot, message, result))
                }
            }

            // Wait for sends to finish, a wake-up, or the next paused or scheduled slot.
            var timeout: TimeInterval = 1
            for slot in slots {
                switch slot {
                case .paused(let until): timeout = min(timeout, until.timeIntervalSinceNow)
                case .scheduled(_, let at, _): timeout = min(timeout, at.timeIntervalSinceNow)
                default: break
                }
            }
            let done = immediate.isEmpty && !refusedAny ? session.poll(timeout: max(0, timeout)) : session.poll(timeout: 0)
            var finishedSends: [(slot: Int, message: OutboxMessage, result: SendResult)] = immediate
            for (slot, result) in done {
                guard case .busy(let message) = slots[slot] else { continue }
                finishedSends.append((slot, message, result))
            }
            guard !finishedSends.isEmpty else { continue }

            var records: [DeliveryRecord] = []
            var retired = 0
            var connectionFailures = 0
            for (slot, message, result) in finishedSends {
                records.append(
                    DeliveryRecord(
                        messageID: message.id, subscriberID: message.subscriberID, result: disposition(result, message, &random),
                        code: result.code, text: result.text))
                log(result, message, slot: offset + slot)
                slots[slot] = .idle
                guard result.connectionFailed else {
                    failures[slot] = 0
                    continue
                }
                connectionFailures += 1
                failures[slot] += 1
                if draining && failures[slot] >= options.drainConnectionAttempts {
                    logger.error(
                        "giving up on this connection for now: the relay could not be reached or refused the session",
                        metadata: ["connection": "\(offset + slot)", "failures": "\(failures[slot])", "destination": "\(transport.destination)"])
                    slots[slot] = .retired
                    retired += 1
                    retiredSlots += 1
                } else {
                    let pause = min(options.connectionBackoff * pow(2, Double(failures[slot] - 1)), options.connectionBackoffMax)
                    logger.notice("connection failed; pausing it", metadata: ["connection": "\(offset + slot)", "seconds": "\(pause)"])
                    slots[slot] = .paused(until: Date() + pause)
                }
            }
            condition.lock()
            // Commit timing runs on the real clock; `now` is the time written to the store.
            let wanted = coordinator.finished(records, at: Date())
            totals.connectionFailures += connectionFailures
            if retired > 0 {
                relayUnavailable = true
                coordinator.sendersLeft(retired)
            }
            if wanted || retired > 0 { condition.broadcast() }
            // This thread is done when all its slots are; the drain when every thread's are.
            if retiredSlots == count {
                // Nothing can be sent in this drain: give the unsent work back.
                for index in slots.indices {
                    if case .scheduled(let message, _, let epoch) = slots[index] { coordinator.putBack(message, epoch: epoch) }
                }
                condition.broadcast()
                condition.unlock()
                return retiredSlots
            }
            condition.unlock()
        }
    }

    /// Marks refused claimed messages `cancelled` with their reason. If that write fails they
    /// stay `sending` (not sent either way), and the next start requeues them for the claim to cancel.
    private func cancelRefused(_ refusals: [Int64: SendRefusal], among messages: [OutboxMessage]) {
        for message in messages {
            guard let refusal = refusals[message.id] else { continue }
            logger.notice("claimed message not sent", metadata: ["id": "\(message.id)", "to": "\(message.envelopeTo)", "reason": "\(refusal.reason)"])
        }
        let reasons = refusals.filter(\.value.rowRemains).mapValues(\.reason)
        guard !reasons.isEmpty else { return }
        do {
            _ = try store.write { tx in try tx.cancelClaimedMessages(reasons, at: now()) }
        } catch {
            logger.error("could not mark refused messages cancelled; they are not sent", metadata: ["count": "\(reasons.count)", "error": "\(error)"])
        }
    }

    private enum Built {
        case success(OutgoingMessage)
        case failure(SendResult)
    }

    private func build(_ message: OutboxMessage) -> Built {
        do {
            let data = try renderer.render(message)
            return .success(try OutgoingMessage(from: message.envelopeFrom, to: message.envelopeTo, data: data))
        } catch let error as MessageError where error.code == .unsendable {
            return .failure(SendResult(.permanent, text: "not sent: \(error.message)"))
        } catch {
            return .failure(SendResult(.temporary, text: "could not build the message: \(error)"))
        }
    }

    private func log(_ result: SendResult, _ message: OutboxMessage, slot: Int) {
        switch result.disposition {
        case .sent:
            logger.debug("sent", metadata: ["id": "\(message.id)", "to": "\(message.envelopeTo)", "reply": "\(result.text)"])
        case .temporary, .permanent:
            logger.warning(
                result.disposition == .temporary ? "temporary failure" : "permanent failure",
                metadata: [
                    "id": "\(message.id)", "to": "\(message.envelopeTo)", "code": "\(result.code.map(String.init) ?? "-")",
                    "reply": "\(result.text)", "connection": "\(slot)",
                ])
        }
    }

    private func disposition(_ result: SendResult, _ message: OutboxMessage, _ random: inout SystemRandomNumberGenerator) -> DeliveryRecord.Result {
        switch result.disposition {
        case .sent: return .sent
        case .permanent: return .failed
        case .temporary: return .retry(at: now() + retry.delay(afterAttempts: message.attempts, using: &random))
        }
    }
}

