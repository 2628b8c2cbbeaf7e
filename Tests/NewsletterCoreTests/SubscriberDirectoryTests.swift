import Foundation
import Testing

@testable import NewsletterCore

@Suite("Subscriber rules: consent, status and suppression")
struct SubscriberDirectoryTests {
    let fixture: StoreFixture
    let directory: SubscriberDirectory

    init() throws {
        fixture = try StoreFixture()
        directory = fixture.directory()
    }

    func address(_ text: String) throws -> EmailAddress { try EmailAddress(text) }

    @Test("adding records the subscriber and their consent")
    func add() throws {
        let added = try directory.add(
            NewSubscriber(email: address("Ann@Example.org"), name: "Ann", digest: .monthly, blog: .immediate, topics: ["carers"]),
            wording: "Yes, send me the carers newsletter")
        #expect(added.email == "Ann@Example.org")
        #expect(added.status == .active)
        #expect(added.activeSince == fixture.now)
        let profile = try directory.profile(address("ann@example.org"))
        #expect(profile.subscriber == added)
        #expect(profile.consent.count == 1)
        #expect(profile.consent[0].action == .subscribed)
        #expect(profile.consent[0].actor == "cli:test")
        #expect(profile.consent[0].wording == "Yes, send me the carers newsletter")
        #expect(profile.consent[0].toStatus == .active)
    }

    @Test("a pending subscriber has no active-since time until confirmed")
    func pending() throws {
        let added = try directory.add(NewSubscriber(email: address("p@example.org"), status: .pending), wording: "web form")
        #expect(added.activeSince == nil)
        fixture.advance(60)
        let confirmed = try directory.update(address("p@example.org"), SubscriberChanges(status: .active))
        #expect(confirmed.status == .active)
        #expect(confirmed.activeSince == fixture.now)
        #expect(try directory.profile(address("p@example.org")).consent.map(\.action) == [.subscribed, .confirmed])
    }

    @Test("the same address in another case is already subscribed")
    func duplicate() throws {
        try directory.add(NewSubscriber(email: address("ann@example.org")), wording: "w")
        #expect(throws: SubscriberError.alreadyExists("ann@example.org is already subscribed (status active); use 'newsletterctl subscribers update' to change their settings")) {
            try directory.add(NewSubscriber(email: address("ANN@example.org")), wording: "w")
        }
        #expect(try fixture.count("subscriber") == 1)
    }

    @Test("remove unsubscribes, suppresses, and is harmless to repeat")
    func remove() throws {
        try directory.add(NewSubscriber(email: address("ann@example.org")), wording: "w")
        guard case .unsubscribed(let gone) = try directory.remove(address("Ann@example.org")) else {
            Issue.record("expected unsubscribed")
            return
        }
        #expect(gone.status == .unsubscribed)
        guard case .alreadyUnsubscribed = try directory.remove(address("ann@example.org")) else {
            Issue.record("expected alreadyUnsubscribed")
            return
        }
        #expect(try fixture.count("suppression") == 1)
        #expect(try directory.profile(address("ann@example.org")).consent.map(\.action) == [.subscribed, .unsubscribed])
    }

    @Test("an unsubscribed address comes back only with resubscribe, which records fresh consent")
    func resubscribe() throws {
        try directory.add(NewSubscriber(email: address("ann@example.org"), name: "Ann"), wording: "first")
        try directory.remove(address("ann@example.org"))
        #expect(throws: SubscriberError.self) { try directory.add(NewSubscriber(email: address("ann@example.org")), wording: "again") }
        fixture.advance(3600)
        let back = try directory.add(NewSubscriber(email: address("ann@example.org"), digest: .daily), wording: "asked to rejoin", resubscribe: true)
        #expect(back.status == .active)
        #expect(back.digest == .daily)
        #expect(back.name == "Ann")
        #expect(back.activeSince == fixture.now)
        #expect(try fixture.count("suppression") == 0)
        let log = try directory.profile(address("ann@example.org")).consent
        #expect(log.last?.action == .resubscribed)
        #expect(log.last?.wording == "asked to rejoin")
    }

    @Test("resubscribe does not bypass the duplicate check for someone still on the list")
    func resubscribeActive() throws {
        try directory.add(NewSubscriber(email: address("ann@example.org")), wording: "w")
        #expect(throws: SubscriberError.self) {
            try directory.add(NewSubscriber(email: address("ann@example.org")), wording: "w", resubscribe: true)
        }
    }

    @Test("erase deletes the person and their consent log, keeping only a hash on the suppression list")
    func erase() throws {
        try directory.add(NewSubscriber(email: address("ann@example.org"), name: "Ann"), wording: "w")
        try directory.update(address("ann@example.org"), SubscriberChanges(digest: .daily))
        #expect(try directory.erase(address("ann@example.org")) == .erased)
        #expect(try fixture.count("subscriber") == 0)
        #expect(try fixture.count("consent_log") == 0)
        let stored = try fixture.store.read { tx in try String.fetchAll(tx.db, sql: "SELECT address_hash || reason FROM suppression") }
        #expect(stored == [try address("ann@example.org").hash + "erased"])
        #expect(!stored[0].contains("ann"))
        #expect(throws: SubscriberError.self) { try directory.add(NewSubscriber(email: address("ann@example.org")), wording: "w") }
        #expect(throws: SubscriberError.self) { try directory.profile(address("ann@example.org")) }
        #expect(try directory.add(NewSubscriber(email: address("ann@example.org")), wording: "rejoined", resubscribe: true).status == .active)
    }

    @Test("erasing an address not on the list still suppresses it")
    func eraseUnknown() throws {
        #expect(try directory.erase(address("stranger@example.org")) == .notOnList)
        #expect(throws: SubscriberError.self) { try directory.add(NewSubscriber(email: address("stranger@example.org")), wording: "w") }
    }

    @Test("update changes preferences and logs them; status changes for people who left are refused")
    func update() throws {
        try directory.add(NewSubscriber(email: address("ann@example.org")), wording: "w")
        let changed = try directory.update(
            address("ann@example.org"), SubscriberChanges(name: .some("Ann B"), digest: .monthly, topics: ["carers", "money"]))
        #expect(changed.name == "Ann B")
        #expect(changed.digest == .monthly)
        #expect(changed.topics == ["carers", "money"])
        let log = try directory.profile(address("ann@example.org")).consent
        #expect(log.last?.action == .preferences)
        #expect(log.last?.wording == "digest weekly → monthly; topics all → carers,money; name changed")

        let unchanged = try directory.update(address("ann@example.org"), SubscriberChanges(digest: .monthly))
        #expect(unchanged == changed)
        #expect(try directory.profile(address("ann@example.org")).consent.count == log.count)

        try directory.remove(address("ann@example.org"))
        #expect(throws: SubscriberError.self) { try directory.update(address("ann@example.org"), SubscriberChanges(status: .active)) }
    }

    @Test("unknown subscribers give exit status 67")
    func unknown() throws {
        for operation: () throws -> Void in [
            { _ = try directory.remove(address("nobody@example.org")) },
            { _ = try directory.update(address("nobody@example.org"), SubscriberChanges(digest: .daily)) },
            { _ = try directory.profile(address("nobody@example.org")) },
        ] {
            #expect(throws: SubscriberError.notFound("no subscriber with address nobody@example.org; 'newsletterctl subscribers list' shows who is on the list")) {
                try operation()
            }
        }
    }

    @Test("listing filters by status and topic; no topics means every topic")
    func listing() throws {
        try directory.add(NewSubscriber(email: address("all@example.org")), wording: "w")
        try directory.add(NewSubscriber(email: address("money@example.org"), topics: ["money"]), wording: "w")
        try directory.add(NewSubscriber(email: address("carers@example.org"), topics: ["carers"]), wording: "w")
        try directory.add(NewSubscriber(email: address("pending@example.org"), status: .pending), wording: "w")
        func emails(_ filter: SubscriberFilter) throws -> [String] {
            var found: [String] = []
            try fixture.store.read { tx in try tx.forEachSubscriber(filter) { found.append($0.email) } }
            return found
        }
        #expect(try emails(SubscriberFilter()) == ["all@example.org", "carers@example.org", "money@example.org", "pending@example.org"])
        #expect(try emails(SubscriberFilter(statuses: [.pending])) == ["pending@example.org"])
        #expect(try emails(SubscriberFilter(statuses: [.active], topic: "money")) == ["all@example.org", "money@example.org"])
    }

    @Test("stats count by status, preference and suppression")
    func stats() throws {
        try directory.add(NewSubscriber(email: address("a@example.org"), digest: .daily, blog: .immediate), wording: "w")
        try directory.add(NewSubscriber(email: address("b@example.org")), wording: "w")
        try directory.add(NewSubscriber(email: address("c@example.org")), wording: "w")
        try directory.remove(address("c@example.org"))
        try directory.erase(address("d@example.org"))
        let stats = try SubscriberStats.gather(from: fixture.store, now: fixture.now)
        #expect(stats.total == 3)
        #expect(stats.byStatus == [.active: 2, .unsubscribed: 1])
        #expect(stats.activeByDigest == [.daily: 1, .weekly: 1])
        #expect(stats.activeByBlog == [.immediate: 1, .digest: 1])
        #expect(stats.suppressed == [.unsubscribed: 1, .erased: 1])
        #expect(stats.joinedLast30Days == 3)
        #expect(stats.leftLast30Days == 1)
    }
}
