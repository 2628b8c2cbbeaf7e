import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import NewsletterCore
import Testing

@testable import NewsletterWeb

@Suite("The links in emails: /confirm, /unsubscribe and /preferences")
struct LinkRouteTests {
    @Test("GET /confirm shows the button and changes nothing; POST confirms, records it and queues the welcome once")
    func confirm() async throws {
        let fixture = try WebFixture()
        let ann = try fixture.add("ann@example.org", status: .pending)
        let uri = "/confirm/" + fixture.token(ann, .confirm)
        let before = try fixture.snapshot()
        try await fixture.app().test(.router) { client in
            let page = try await client.execute(uri: uri, method: .get)
            #expect(page.status == .ok)
            #expect(page.text.contains("<button type=\"submit\">Confirm my subscription</button>"))
            #expect(page.text.contains("<form method=\"post\">"))
            #expect(try fixture.snapshot() == before, "a GET changed something")

            let done = try await client.execute(uri: uri, method: .post, headers: formHeaders, body: ByteBuffer())
            #expect(done.status == .ok)
            #expect(done.text.contains("You are signed up"))
            let again = try await client.execute(uri: uri, method: .post)
            #expect(again.status == .ok)
            #expect(again.text.contains("You are signed up"))
        }
        let now = try #require(try fixture.subscriber("ann@example.org"))
        #expect(now.status == .active)
        #expect(try fixture.consent(now).last?.action == .confirmed)
        #expect(try fixture.consent(now).filter { $0.action == .confirmed }.count == 1)
        #expect(try fixture.outbox().map(\.kind) == [.welcome])
    }

    @Test("an old confirmation link of someone who has unsubscribed since brings nobody back")
    func confirmAfterLeaving() async throws {
        let fixture = try WebFixture()
        let gone = try fixture.add("gone@example.org", status: .unsubscribed)
        let before = try fixture.snapshot()
        try await fixture.app().test(.router) { client in
            let response = try await client.execute(uri: "/confirm/" + fixture.token(gone, .confirm), method: .post)
            #expect(response.status == .ok)
            #expect(response.text.contains("This link is no longer in use"))
        }
        #expect(try fixture.snapshot() == before)
    }

    @Test("the RFC 8058 one-click POST exactly as Gmail sends it: 200, unsubscribed, suppressed, queued mail cancelled; again is harmless")
    func oneClick() async throws {
        let fixture = try WebFixture(http: ["trusted_proxies: []"])
        let ann = try fixture.add("ann@example.org", status: .pending)
        try await fixture.app().test(.router) { client in
            _ = try await client.execute(
                uri: "/subscribe", method: .post, headers: formHeaders, body: formBody([("email", "ann@example.org"), ("consent", "yes")]))
        }
        #expect(try fixture.outbox().map(\.state) == [.queued])
        let uri = "/unsubscribe/" + fixture.token(ann, .unsubscribe)
        try await fixture.app().test(.live) { client in
            var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            headers[.userAgent] = "Mozilla/5.0 (compatible; Google-List-Unsubscribe)"
            for _ in 1...2 {
                let response = try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: "List-Unsubscribe=One-Click"))
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/plain; charset=utf-8")
            }
        }
        let now = try #require(try fixture.subscriber("ann@example.org"))
        #expect(now.status == .unsubscribed)
        #expect(try fixture.consent(now).filter { $0.action == .unsubscribed }.count == 1)
        #expect(try fixture.consent(now).last?.clientAddress == "127.0.0.1")
        #expect(try fixture.outbox().map(\.state) == [.cancelled])
        #expect(try fixture.store.read { tx in try tx.suppression(hash: try EmailAddress("ann@example.org").hash) }?.reason == .unsubscribed)
    }

    @Test("GET /unsubscribe shows one button and changes nothing; the button's POST unsubscribes and says so")
    func unsubscribeButton() async throws {
        let fixture = try WebFixture()
        let ann = try fixture.add("ann@example.org")
        let uri = "/unsubscribe/" + fixture.token(ann, .unsubscribe)
        let before = try fixture.snapshot()
        try await fixture.app().test(.router) { client in
            let page = try await client.execute(uri: uri, method: .get)
            #expect(page.status == .ok)
            #expect(page.text.components(separatedBy: "<button").count == 2)
            #expect(page.text.contains("../preferences/"))
            #expect(try fixture.snapshot() == before)
            let done = try await client.execute(uri: uri, method: .post, headers: formHeaders, body: ByteBuffer())
            #expect(done.status == .ok)
            #expect(done.text.contains("You are unsubscribed"))
            let shown = try await client.execute(uri: uri, method: .get)
            #expect(shown.text.contains("This address was already unsubscribed."))
        }
        #expect(try fixture.subscriber("ann@example.org")?.status == .unsubscribed)
    }

    @Test("preferences: GET shows the choices and changes nothing; POST saves cadence, blog and topics, logged with the client")
    func preferences() async throws {
        let fixture = try WebFixture()
        try fixture.addPages(topics: ["respite"])
        let ann = try fixture.add("ann@example.org", topics: ["money"])
        let uri = "/preferences/" + fixture.token(ann, .preferences)
        let before = try fixture.snapshot()
        try await fixture.app().test(.router) { client in
            let page = try await client.execute(uri: uri, method: .get)
            #expect(page.status == .ok)
            #expect(page.text.contains("id=\"digest-weekly\" name=\"digest\" value=\"weekly\" checked"))
            #expect(page.text.contains("id=\"topic-money\" name=\"topics\" value=\"money\" checked"))
            #expect(page.text.contains("about Money."))
            #expect(try fixture.snapshot() == before)
            let saved = try await client.execute(
                uri: uri, method: .post, headers: formHeaders,
                body: formBody([("digest", "daily"), ("blog", "immediate"), ("topics", "money"), ("topics", "respite")]))
            #expect(saved.status == .ok)
            #expect(saved.text.contains("Your choices are saved."))
            let bad = try await client.execute(uri: uri, method: .post, headers: formHeaders, body: formBody([("digest", "yearly"), ("blog", "off")]))
            #expect(bad.status == .badRequest)
            #expect(bad.text.contains("Choose how often to get the email."))
        }
        let now = try #require(try fixture.subscriber("ann@example.org"))
        #expect(now.digest == .daily)
        #expect(now.blog == .immediate)
        #expect(now.topics == ["money", "respite"])
        let logged = try #require(try fixture.consent(now).last)
        #expect(logged.action == .preferences)
        #expect(logged.wording?.contains("digest weekly → daily") == true)
    }

    @Test("preferences: the unsubscribe button there unsubscribes")
    func preferencesUnsubscribe() async throws {
        let fixture = try WebFixture()
        let ann = try fixture.add("ann@example.org")
        try await fixture.app().test(.router) { client in
            let response = try await client.execute(
                uri: "/preferences/" + fixture.token(ann, .preferences), method: .post, headers: formHeaders, body: formBody([("action", "unsubscribe")]))
            #expect(response.status == .ok)
            #expect(response.text.contains("You are unsubscribed"))
        }
        #expect(try fixture.subscriber("ann@example.org")?.status == .unsubscribed)
    }

    enum BadToken: String, CaseIterable {
        case tampered, wrongPurpose, erased, garbage, empty
    }

    @Test("an invalid, tampered, wrong-purpose or erased subscriber's token: a friendly 404 page, for GET and POST", arguments: BadToken.allCases)
    func badTokens(kind: BadToken) async throws {
        let fixture = try WebFixture()
        let ann = try fixture.add("ann@example.org", status: .pending)
        for purpose in LinkTokens.Purpose.allCases {
            let token: String
            switch kind {
            case .tampered:
                var good = Array(fixture.token(ann, purpose))
                good[good.count - 2] = good[good.count - 2] == "A" ? "B" : "A"
                token = String(good)
            case .wrongPurpose:
                token = fixture.token(ann, purpose == .confirm ? .unsubscribe : .confirm)
            case .erased:
                let other = try fixture.add("erased-\(purpose.rawValue)@example.org")
                token = fixture.token(other, purpose)
                try SubscriberDirectory(store: fixture.store, actor: "cli:test").erase(try EmailAddress(other.email))
            case .garbage:
                token = "%3Cscript%3E..%2F..%2Fetc%2Fpasswd"
            case .empty:
                token = "x"
            }
            let before = try fixture.snapshot()
            try await fixture.app().test(.router) { client in
                for method in [HTTPRequest.Method.get, .post] {
                    let response = try await client.execute(
                        uri: "/\(purpose.rawValue)/\(token)", method: method, headers: formHeaders, body: ByteBuffer(string: "List-Unsubscribe=One-Click"))
                    #expect(response.status == .notFound, "\(purpose) \(method) \(kind)")
                    #expect(response.text.contains("This link does not work"), "\(purpose) \(method) \(kind)")
                    #expect(!response.text.contains("Error"), "\(purpose) \(method) \(kind)")
                }
            }
            #expect(try fixture.snapshot() == before)
        }
    }
}
