import Foundation
import GRDB
@testable import NewsletterStore
import NewsletterTestSupport
import Testing

@testable import NewsletterCore

/// Links bound to the subscriber row they were made for, and link secrets that rotate.
@Suite("Link keys: a link acts only on its own subscriber; rotated secrets")
struct LinkKeyTests {
    static func subscriber(id: Int64, key: UInt8, legacy: Bool = false) -> Subscriber {
        let time = Date(timeIntervalSince1970: 1_790_000_000)
        return Subscriber(
            id: id, email: "someone@example.org", name: nil, status: .active, digest: .weekly, blog: .digest, topics: [],
            createdAt: time, updatedAt: time, activeSince: time, linkKey: Data(repeating: key, count: 16), legacyLinks: legacy)
    }

    let tokens = LinkTokens(secret: Data(repeating: 7, count: 32))
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("a token made for one row does not hold for another row given the same id")
    func boundToRow() throws {
        let first = Self.subscriber(id: 5, key: 1)
        let token = tokens.token(for: first, purpose: .preferences)
        #expect(token.hasPrefix("v2."))
        let claim = try #require(tokens.claim(token, purpose: .preferences))
        #expect(claim.subscriberID == 5)
        #expect(claim.holds(for: first, at: now))
        #expect(!claim.holds(for: Self.subscriber(id: 5, key: 2), at: now))
        #expect(!claim.holds(for: Self.subscriber(id: 5, key: 2, legacy: true), at: now))
        #expect(!claim.holds(for: Self.subscriber(id: 6, key: 1), at: now))
    }

    @Test("a link of the first form holds only for rows that existed before link keys")
    func legacy() throws {
        let token = tokens.legacyToken(subscriberID: 5, purpose: .unsubscribe)
        let claim = try #require(tokens.claim(token, purpose: .unsubscribe))
        #expect(claim.holds(for: Self.subscriber(id: 5, key: 1, legacy: true), at: now))
        #expect(!claim.holds(for: Self.subscriber(id: 5, key: 1, legacy: false), at: now))
        #expect(tokens.claim(token, purpose: .confirm).map { $0.holds(for: Self.subscriber(id: 5, key: 1, legacy: true), at: now) } == false)
    }

    @Test("a retired secret verifies until its time is up, then not")
    func retiredSecret() throws {
        let old = Data(repeating: 3, count: 32)
        let subscriber = Self.subscriber(id: 9, key: 4)
        let token = LinkTokens(secret: old).token(for: subscriber, purpose: .unsubscribe)
        let rotated = LinkTokens(source: LinkKeySource(fixed: LinkKeySet(
            current: Data(repeating: 8, count: 32), previous: [(old, now.addingTimeInterval(60))])))
        let claim = try #require(rotated.claim(token, purpose: .unsubscribe))
        #expect(claim.holds(for: subscriber, at: now))
        #expect(!claim.holds(for: subscriber, at: now.addingTimeInterval(61)))
        #expect(rotated.token(for: subscriber, purpose: .unsubscribe) != token)
    }

    @Test("rotating keeps the old secret for the period, drops expired ones, and a loaded keyring notices")
    func rotate() async throws {
        let dir = TemporaryDirectory("rotate")
        let path = dir.path("link-secret")
        let loaded = try LinkTokens.load(databasePath: dir.path("newsletter.db"), keepFor: 86400)
        let subscriber = Self.subscriber(id: 3, key: 5)
        let before = loaded.token(for: subscriber, purpose: .confirm)
        let original = try LinkSecret.load(path: path)

        let first = try LinkSecret.rotate(path: path, at: now, keepFor: 86400)
        #expect(first == LinkSecret.Rotation(stillValid: 1, dropped: 0))
        #expect(try LinkSecret.load(path: path) != original)
        #expect(try LinkSecret.retired(path: path).map(\.secret) == [original])
        var info = stat()
        #expect(stat(LinkSecret.retiredPath(path), &info) == 0 && info.st_mode & 0o777 == 0o600)

        // The loaded tokens pick the rotation up (they look at the files at most once a second).
        #expect(await waitUntil(timeout: 30) { loaded.token(for: subscriber, purpose: .confirm) != before })
        let claim = try #require(loaded.claim(before, purpose: .confirm))
        let retiredAt = try #require(try LinkSecret.retired(path: path).first?.retiredAt)
        #expect(claim.holds(for: subscriber, at: retiredAt.addingTimeInterval(86399)))
        #expect(!claim.holds(for: subscriber, at: retiredAt.addingTimeInterval(86401)))

        // A day and a bit later, the first retired secret is past its time and goes.
        let second = try LinkSecret.rotate(path: path, at: now.addingTimeInterval(90000), keepFor: 86400)
        #expect(second == LinkSecret.Rotation(stillValid: 1, dropped: 1))
        #expect(try !LinkSecret.retired(path: path).map(\.secret).contains(original))
    }

    @Test("a damaged retired-secrets file is refused with a message naming it")
    func damaged() throws {
        let dir = TemporaryDirectory("rotate")
        let path = dir.path("link-secret")
        _ = try LinkSecret.load(path: path)
        try Data("1700000000 not-base64\n".utf8).write(to: URL(fileURLWithPath: LinkSecret.retiredPath(path)))
        #expect(throws: NewsletterError.self) { try LinkSecret.retired(path: path) }
    }

    @Test("after an erase, the next subscriber gets a new id and a new link key; old links do nothing to them")
    func eraseThenSignUp() throws {
        let fixture = try StoreFixture()
        let directory = fixture.directory()
        _ = try directory.add(NewSubscriber(email: try EmailAddress("ann@example.org")), wording: "w")
        let bob = try directory.add(NewSubscriber(email: try EmailAddress("bob@example.org"), status: .pending), wording: "w")
        let confirm = try #require(tokens.claim(tokens.token(for: bob, purpose: .confirm), purpose: .confirm))
        let unsubscribe = try #require(tokens.claim(tokens.token(for: bob, purpose: .unsubscribe), purpose: .unsubscribe))
        #expect(try directory.erase(try EmailAddress("bob@example.org")) == .erased)

        let cat = try directory.add(NewSubscriber(email: try EmailAddress("cat@example.org"), status: .pending), wording: "w")
        #expect(cat.id > bob.id)
        #expect(cat.linkKey.count == 16 && cat.linkKey != bob.linkKey)
        // Even were the id reused (a restore, another backend), the row's key refuses the link.
        try fixture.store.write { tx in
            // Foreign keys are checked at the commit (SQLite) or not at all (PostgreSQL, as the
            // tests' superuser) while the two rows trade ids.
            try tx.db.execute(sql: tx.db.dialect == .sqlite ? "PRAGMA defer_foreign_keys = ON" : "SET LOCAL session_replication_role = replica")
            for sql in ["UPDATE subscriber SET id = ? WHERE id = ?", "UPDATE consent_log SET subscriber_id = ? WHERE subscriber_id = ?"] {
                try tx.db.execute(sql: sql, arguments: [bob.id, cat.id])
            }
        }
        #expect(try directory.subscriber(link: confirm) == nil)
        #expect(try directory.update(link: confirm, SubscriberChanges(status: .active)) == nil)
        #expect(try directory.remove(link: unsubscribe) == nil)
        let stored = try #require(try fixture.store.read { tx in try tx.subscriber(id: bob.id) })
        #expect(stored.email == "cat@example.org" && stored.status == .pending)
        #expect(!stored.legacyLinks)
    }

    @Test("the migration keeps every row and its references, marks them for links of the first form, and never reuses an id")
    func migration() throws {
        let dir = TemporaryDirectory("migrate")
        let path = dir.path("newsletter.db")
        let queue = try DatabaseQueue(path: path)
        try queue.inDatabase { db in
            for migration in Schema.migrations where migration.version <= 6 { try migration.apply(db) }
            try db.execute(sql: "PRAGMA user_version = 6")
            for (id, email) in [(1, "a@example.org"), (2, "b@example.org"), (3, "c@example.org")] {
                try db.execute(sql: """
                    INSERT INTO subscriber (id, email, email_key, status, digest, blog, created_at, updated_at)
                    VALUES (?, ?, ?, 'active', 'weekly', 'digest', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')
                    """, arguments: [id, email, email])
                try db.execute(sql: """
                    INSERT INTO consent_log (subscriber_id, at, actor, action) VALUES (?, '2026-01-01T00:00:00Z', 'cli:test', 'subscribed')
                    """, arguments: [id])
            }
            // The highest id was erased before the upgrade.
            try db.execute(sql: "DELETE FROM subscriber WHERE id = 3")
        }
        try queue.close()

        let store = try Store.open(DatabaseSettings(path: path, busyTimeout: 5))
        let rows = try store.read { tx in try [1, 2].map { try #require(try tx.subscriber(id: $0)) } }
        #expect(rows.allSatisfy { $0.legacyLinks && $0.linkKey.count == 16 })
        #expect(rows[0].linkKey != rows[1].linkKey)
        #expect(try store.read { tx in try tx.count("consent_log") } == 2)
        #expect(try store.read { tx in try Int.fetchOne(tx.db, sql: "PRAGMA foreign_keys") } == 1)
        let directory = SubscriberDirectory(store: store, actor: "cli:test", now: { now })
        let added = try directory.add(NewSubscriber(email: try EmailAddress("d@example.org")), wording: "w")
        #expect(!added.legacyLinks)
        _ = try directory.erase(try EmailAddress("d@example.org"))
        let next = try directory.add(NewSubscriber(email: try EmailAddress("e@example.org")), wording: "w")
        #expect(next.id > added.id)
        // The erased id 3 went to d@ (after the upgrade, with a new key): a link of the first
        // form for the old id 3 does not hold.
        let legacy = try #require(tokens.claim(tokens.legacyToken(subscriberID: added.id, purpose: .preferences), purpose: .preferences))
        #expect(try directory.subscriber(link: legacy) == nil)
        let legacyTwo = try #require(tokens.claim(tokens.legacyToken(subscriberID: 2, purpose: .preferences), purpose: .preferences))
        #expect(try directory.subscriber(link: legacyTwo)?.email == "b@example.org")
    }
}
