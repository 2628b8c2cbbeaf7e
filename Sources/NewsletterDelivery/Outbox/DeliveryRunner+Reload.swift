import Foundation
import NewsletterCore

/// Reloading: new settings are built beside the running ones and put in force between
/// messages, never by dropping a connection mid-message.
extension DeliveryRunner {
    /// New settings, checked and built (the transport and its sessions, which connect
    /// lazily), not yet in force: ``adopt(_:)`` puts them in force, ``discard()`` drops them.
    public final class Prepared: @unchecked Sendable {
        let profile: Profile
        private let lock = NSLock()
        private var sessions: [(session: any MailSession, slots: Int)]

        init(profile: Profile, sessions: [(session: any MailSession, slots: Int)]) {
            self.profile = profile
            self.sessions = sessions
        }

        /// The sessions, once: whoever takes them closes them.
        func take() -> [(session: any MailSession, slots: Int)] {
            lock.lock()
            defer { lock.unlock() }
            let taken = sessions
            sessions = []
            return taken
        }

        public func discard() {
            for opened in take() { opened.session.close() }
        }
    }

    /// Builds what `settings` configure without touching what runs; throws when they cannot
    /// be used (a password file that cannot be read, say).
    public func prepare(settings: Settings, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Prepared {
        let profile = try Self.profile(settings: settings, environment: environment, logger: logger)
        return Prepared(profile: profile, sessions: try openSessions(profile))
    }

    /// Puts prepared settings in force, keeping the sender lock and the claimed messages: the
    /// senders finish the messages on the wire and begin no new ones, then senders with the
    /// new settings take over (so a relay stalling one reply delays the change, never stops
    /// delivery). A runner not running takes them at once. Prepared settings adopted while
    /// earlier ones still wait replace them.
    public func adopt(_ prepared: Prepared) {
        condition.lock()
        let phase = coordinator.phase
        if running && (phase == .sending || phase == .changingSettings) {
            let replaced = nextPrepared
            nextPrepared = prepared
            coordinator.settingsWaiting()
            signalAll()
            condition.unlock()
            replaced?.discard()
            return
        }
        if !running { profile = prepared.profile }
        condition.unlock()
        // A runner that starts later opens its own sessions.
        prepared.discard()
    }

    /// On the coordinator, with no sender running: the new profile, rate limiter and claim
    /// size, then senders on the prepared sessions.
    func adoptPrepared(_ prepared: Prepared, draining: Bool) {
        let next = prepared.profile
        let sessions = prepared.take()
        condition.lock()
        profile = next
        limiter = Self.limiter(perSecond: next.limits.perSecond)
        coordinator.settingsAdopted(connections: next.connections, ceiling: claimCeiling(next))
        let stopped = coordinator.phase != .sending
        condition.unlock()
        if stopped || sessions.isEmpty {
            for opened in sessions { opened.session.close() }
            return
        }
        launchSenders(drain: draining, sessions: sessions)
        logger.info(
            "delivery settings in force",
            metadata: ["destination": "\(next.transport.destination)", "connections": "\(next.connections)"])
    }
}
