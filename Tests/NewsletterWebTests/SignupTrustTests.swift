import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NewsletterCompose
import NewsletterCore
import NewsletterTestSupport
import NewsletterWeb
import Testing

/// Issue 12, defects 2, 3, 4 and 9 as the public pages show them: who can lift a
/// suppression, what an unreadable client address becomes, whether the work behind a
/// sign-up depends on who subscribes, and what a visitor can make the form send.
@Suite("Sign-up trust: suppressions, client addresses, same work on every path, no visitor text in email")
struct SignupTrustTests {
    static func signUp(_ client: some TestClientProtocol, _ email: String, name: String? = nil, forwardedFor: String? = nil) async throws
        -> TestResponse
    {
        var headers = formHeaders
        if let forwardedFor { headers[HTTPField.Name("X-Forwarded-For")!] = forwardedFor }
        var fields = [("email", email), ("consent", "yes")]
        if let name { fields.append(("name", name)) }
        return try await client.execute(uri: "/subscribe", method: .post, headers: headers, body: formBody(fields))
    }

    static func suppression(_ fixture: WebFixture, _ email: String) throws -> SuppressionReason? {
        try fixture.store.read { tx in try tx.suppression(hash: try EmailAddress(email).hash) }?.reason
    }

    /// An address in each state a stranger might type into the form.
    static func everyKind(_ fixture: WebFixture) throws {
        try fixture.add("pending@example.org", status: .pending)
        try fixture.add("active@example.org", status: .active)
        try fixture.add("left@example.org", status: .unsubscribed)
        try fixture.add("erased@example.org", status: .active)
        try SubscriberDirectory(store: fixture.store, actor: "cli:test").erase(try EmailAddress("erased@example.org"))
        var bounced = try fixture.add("bounced@example.org", status: .active)
        var complained = try fixture.add("complained@example.org", status: .unsubscribed)
        try fixture.store.write { tx in
            bounced.status = .bounced
            try tx.updateSubscriber(bounced)
            try tx.suppress(hash: try EmailAddress("bounced@example.org").hash, reason: .bounced, at: Date(), actor: "daemon")
            complained.status = .unsubscribed
            try tx.suppress(hash: try EmailAddress("complained@example.org").hash, reason: .complaint, at: Date(), actor: "daemon")
        }
    }

    static let kinds = ["new@example.org", "pending@example.org", "active@example.org", "left@example.org", "erased@example.org",
        "bounced@example.org", "complained@example.org"]

    // MARK: Defect 2

    @Test("a sign-up for an address that left keeps its suppression until the confirm POST; bounced and complained get nothing")
    func suppressionStaysUntilConfirmed() async throws {
        let fixture = try WebFixture()
        try Self.everyKind(fixture)
        let bodies = try await fixture.app().test(.router) { client in
            var bodies: [String] = []
            for email in ["left@example.org", "erased@example.org", "bounced@example.org", "complained@example.org"] {
                let response = try await Self.signUp(client, email)
                #expect(response.status == .ok)
                bodies.append(response.text)
            }
            return bodies
        }
        #expect(Set(bodies).count == 1, "the answers differ")
        // Nobody has confirmed: every suppression is still there.
        #expect(try Self.suppression(fixture, "left@example.org") == .unsubscribed)
        #expect(try Self.suppression(fixture, "erased@example.org") == .erased)
        #expect(try Self.suppression(fixture, "bounced@example.org") == .bounced)
        #expect(try Self.suppression(fixture, "complained@example.org") == .complaint)
        // The two who may come back are pending and sent a link; the others are sent nothing and unchanged.
        let queued = try fixture.outbox().filter { $0.state == .queued }.map(\.envelopeTo).sorted()
        #expect(queued == ["erased@example.org", "left@example.org"])
        #expect(try fixture.subscriber("bounced@example.org")?.status == .bounced)
        #expect(try fixture.subscriber("complained@example.org")?.status == .unsubscribed)

        // The owner of the inbox presses the button: only now is the suppression lifted.
        let left = try #require(try fixture.subscriber("left@example.org"))
        #expect(left.status == .pending)
        let erased = try #require(try fixture.subscriber("erased@example.org"))
        try await fixture.app().test(.router) { client in
            for subscriber in [left, erased] {
                let response = try await client.execute(uri: "/confirm/" + fixture.token(subscriber, .confirm), method: .post)
                #expect(response.status == .ok)
                #expect(response.text.contains("You are signed up"))
            }
        }
        #expect(try Self.suppression(fixture, "left@example.org") == nil)
        #expect(try Self.suppression(fixture, "erased@example.org") == nil)
        #expect(try fixture.subscriber("left@example.org")?.status == .active)
    }

    // MARK: Defect 4

    @Test("every kind of address gets the same answer after the same work: one confirmation rendered and written to the outbox")
    func sameWorkOnEveryPath() async throws {
        let fixture = try WebFixture()
        try Self.everyKind(fixture)
        var written: [String: Int] = [:]
        var bodies: Set<String> = []
        for email in Self.kinds {
            let before = try fixture.outbox().count
            let response = try await fixture.app().test(.router) { client in try await Self.signUp(client, email) }
            #expect(response.status == .ok)
            bodies.insert(response.text)
            written[email] = try fixture.outbox().count - before
        }
        #expect(bodies.count == 1, "the answers differ")
        // One outbox row on every path: queued where it goes out, cancelled with the reason where not.
        #expect(written == Dictionary(uniqueKeysWithValues: Self.kinds.map { ($0, 1) }), "\(written)")
        let cancelled = try fixture.outbox().filter { $0.state == .cancelled }.map(\.envelopeTo).sorted()
        #expect(cancelled == ["active@example.org", "bounced@example.org", "complained@example.org"])
    }

    // MARK: Defect 9

    @Test("the visitor's name never reaches the confirmation email; it is still stored")
    func noVisitorTextInEmail() async throws {
        let fixture = try WebFixture()
        let name = "Visit https://evil.example/win \u{202E}now"
        _ = try await fixture.app().test(.router) { client in try await Self.signUp(client, "target@example.org", name: name) }
        #expect(try fixture.subscriber("target@example.org")?.name == name)
        let row = try #require(try fixture.outbox().first)
        let message = try #require(try fixture.store.read { tx in try tx.outboxMessage(id: row.id) })
        let data = try CompleteMessageRenderer().render(message)
        let text = String(decoding: data, as: UTF8.self)
        #expect(!text.contains("evil.example"), "\(text)")
        #expect(!text.contains("Visit"), "\(text)")
        #expect(text.contains("\r\nTo: target@example.org\r\n"), "\(text)")
    }

    @Test("IPv6 clients are limited per /64: a new address in the same /64 does not get a new allowance")
    func ipv6PerSlash64() async throws {
        let fixture = try WebFixture(http: ["rate_limit:", "  per_address: 2"])
        try await fixture.app().test(.live) { client in
            for n in 1...2 {
                let response = try await Self.signUp(client, "v\(n)@example.org", forwardedFor: "2001:db8:1:2::\(n)")
                #expect(response.status == .ok)
            }
            let sameNetwork = try await Self.signUp(client, "v3@example.org", forwardedFor: "2001:db8:1:2:ffff:1:2:3")
            #expect(sameNetwork.status == .tooManyRequests)
            let otherNetwork = try await Self.signUp(client, "v4@example.org", forwardedFor: "2001:db8:1:3::1")
            #expect(otherNetwork.status == .ok)
        }
    }

    @Test("plus- and dot-variants of an address share its per-email allowance")
    func variantsShareTheEmailLimit() async throws {
        let fixture = try WebFixture(http: ["rate_limit:", "  per_email: 2", "  per_address: 100"])
        try await fixture.app().test(.router) { client in
            for email in ["ann.smith@gmail.com", "annsmith+1@gmail.com", "Ann.Smith+x@googlemail.com", "a.n.n.smith+2@gmail.com"] {
                let response = try await Self.signUp(client, email)
                #expect(response.status == .ok)
                #expect(response.text.contains("Check your inbox"))
            }
        }
        // Two confirmation emails in all, however the address was dressed up.
        #expect(try fixture.outbox().filter { $0.state == .queued }.count == 2)
    }

    // MARK: Defect 3

    @Test("behind the trusted proxy, no or an unreadable X-Forwarded-For is an unknown client: no /metrics, a bucket of its own")
    func unreadableClientIsUnknown() async throws {
        let fixture = try WebFixture(http: ["rate_limit:", "  per_address: 1"])
        try await fixture.app().test(.live) { client in
            // The test client connects from 127.0.0.1, a trusted proxy by default.
            for header in [nil, "", "garbage", "198.51.100.7:99999", "unknown"] as [String?] {
                var headers = HTTPFields()
                if let header { headers[HTTPField.Name("X-Forwarded-For")!] = header }
                let metrics = try await client.execute(uri: "/metrics", method: .get, headers: headers)
                #expect(metrics.status == .forbidden, "X-Forwarded-For: \(header ?? "(none)")")
            }
            var local = HTTPFields()
            local[HTTPField.Name("X-Forwarded-For")!] = "127.0.0.1"
            let r1 = try await client.execute(uri: "/metrics", method: .get, headers: local)
            #expect(r1.status == .ok)

            // Unknown clients share one bucket, apart from every real client's.
            let r2 = try await Self.signUp(client, "u1@example.org")
            #expect(r2.status == .ok)
            let r3 = try await Self.signUp(client, "u2@example.org", forwardedFor: "not-an-address")
            #expect(r3.status == .tooManyRequests)
            let r4 = try await Self.signUp(client, "r1@example.org", forwardedFor: "198.51.100.7")
            #expect(r4.status == .ok)
        }
        #expect(try fixture.consent(try #require(try fixture.subscriber("u1@example.org"))).first?.clientAddress == nil)
    }

    @Test("a last hop written with a port is read as the address it carries")
    func hopsWithPorts() async throws {
        let fixture = try WebFixture()
        try await fixture.app().test(.live) { client in
            let r5 = try await Self.signUp(client, "p4@example.org", forwardedFor: "198.51.100.7:4711")
            #expect(r5.status == .ok)
            let r6 = try await Self.signUp(client, "p6@example.org", forwardedFor: "203.0.113.1, [2001:db8::1]:4711")
            #expect(r6.status == .ok)
        }
        #expect(try fixture.consent(try #require(try fixture.subscriber("p4@example.org"))).first?.clientAddress == "198.51.100.7")
        #expect(try fixture.consent(try #require(try fixture.subscriber("p6@example.org"))).first?.clientAddress == "2001:db8::1")
    }

    @Test("the address rule: ports stripped, unreadable hops unknown")
    func rule() {
        let rule = ClientAddressRule(trustedProxies: ["127.0.0.1", "::1", "10.0.0.0/8"].compactMap(IPAddressRange.init))
        #expect(rule.client(peer: "127.0.0.1", forwardedFor: []) == nil)
        #expect(rule.client(peer: "127.0.0.1", forwardedFor: ["198.51.100.7:4711"]) == "198.51.100.7")
        #expect(rule.client(peer: "127.0.0.1", forwardedFor: ["[2001:db8::1]:4711"]) == "2001:db8::1")
        #expect(rule.client(peer: "127.0.0.1", forwardedFor: ["[2001:db8::1]"]) == "2001:db8::1")
        #expect(rule.client(peer: "127.0.0.1", forwardedFor: ["198.51.100.7:4711", "10.0.0.2:80"]) == "198.51.100.7")
        for bad in ["198.51.100.7:", "198.51.100.7:70000", "[2001:db8::1]:x", "2001:db8::1:4711:", "[198.51.100.7]:1", "unknown", "_hidden"] {
            #expect(rule.client(peer: "127.0.0.1", forwardedFor: [bad]) == nil, "\(bad)")
        }
        // A peer that is not a proxy is the client, whatever it sends.
        #expect(rule.client(peer: "203.0.113.5", forwardedFor: ["garbage"]) == "203.0.113.5")
    }
}
