import Foundation
import Testing

@testable import NewsletterCore

@Suite("Sign-ups never confirmed are purged")
struct PendingPurgeTests {
    let fixture: StoreFixture
    let directory: SubscriberDirectory

    init() throws {
        fixture = try StoreFixture()
        directory = fixture.directory(actor: "daemon")
    }

    func pending(_ email: String) throws -> Subscriber {
        try directory.add(NewSubscriber(email: try EmailAddress(email), status: .pending), wording: "signed up on the web")
    }

    @Test("a pending sign-up older than the expiry goes, with a purge-log line; active and newer ones stay")
    func purge() throws {
        let old = try pending("old@example.org")
        _ = try directory.add(NewSubscriber(email: try EmailAddress("active@example.org")), wording: "w")
        fixture.advance(20 * 86400)
        _ = try pending("new@example.org")
        fixture.advance(10 * 86400 + 1)

        #expect(try directory.purgeUnconfirmed(expiry: 30 * 86400) == 1)
        let left = try fixture.store.read { tx in
            try ["old", "active", "new"].map { try tx.subscriber(key: "\($0)@example.org")?.status }
        }
        #expect(left == [nil, .active, .pending])
        #expect(try fixture.store.read { tx in try tx.consentLog(subscriberID: old.id) }.isEmpty)
        let log = try fixture.store.read { tx in try tx.purgeLog() }
        #expect(log == [PurgeEntry(
            at: fixture.now, actor: "daemon", addressHash: try EmailAddress("old@example.org").hash, signedUpAt: old.createdAt,
            reason: "not confirmed within 30d of signing up")])
        #expect(try directory.purgeUnconfirmed(expiry: 30 * 86400) == 0)
    }

    @Test("purging keeps the address's suppression")
    func keepsSuppression() throws {
        let address = try EmailAddress("left@example.org")
        try fixture.store.write { tx in
            try tx.suppress(hash: address.hash, reason: .unsubscribed, at: fixture.now, actor: "web")
            _ = try tx.insertSubscriber(NewSubscriber(email: address, status: .pending), at: fixture.now)
        }
        fixture.advance(31 * 86400)
        #expect(try directory.purgeUnconfirmed(expiry: 30 * 86400) == 1)
        #expect(try fixture.store.read { tx in try tx.suppression(hash: address.hash) }?.reason == .unsubscribed)
    }

    @Test("an expiry of 0 keeps pending sign-ups for ever")
    func never() throws {
        _ = try pending("old@example.org")
        fixture.advance(3650 * 86400)
        #expect(try directory.purgeUnconfirmed(expiry: 0) == 0)
        #expect(try fixture.count("subscriber") == 1)
    }

    @Test("config: subscribers.pending_expiry and links.previous_key_days, with their defaults")
    func config() throws {
        let defaults = try Settings.parse(yaml: "site:\n  content_dir: /tmp\n", file: "/tmp/n.yaml")
        #expect(defaults.subscribers.pendingExpiry == 30 * 86400)
        #expect(defaults.links.previousKeyLifetime == 90 * 86400)
        let set = try Settings.parse(
            yaml: "site:\n  content_dir: /tmp\nsubscribers:\n  pending_expiry: 7d\nlinks:\n  previous_key_days: 14\n", file: "/tmp/n.yaml")
        #expect(set.subscribers.pendingExpiry == 7 * 86400)
        #expect(set.links.previousKeyLifetime == 14 * 86400)
        #expect(throws: NewsletterError.self) { try Settings.parse(yaml: "site:\n  content_dir: /tmp\nlinks:\n  previous_key_days: -1\n", file: "/tmp/n.yaml") }
    }
}
