import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import NewsletterCore
import Testing

@testable import NewsletterWeb

@Suite("GET and POST /subscribe")
struct SignupRouteTests {
    static let good: [(String, String)] = [
        ("email", "ann@example.org"), ("name", "Ann Carer"), ("digest", "monthly"), ("topics", "money"), ("topics", "Mental Health"),
        ("consent", "yes"),
    ]

    @Test("the form has a label for every field, the consent wording, the honeypot, and the security headers")
    func form() async throws {
        let fixture = try WebFixture(http: ["consent_wording: \"Yes, email me about changes to the pages for carers.\""])
        try fixture.store.write { tx in
            try tx.saveContentPage(
                ContentPage(path: "money/grants.md", kind: .page, status: .current, title: "Grants", url: "https://carers.example.org/money/grants",
                    topics: ["money"], firstSeen: Date(), changedAt: Date()))
        }
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/subscribe", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                let html = response.text
                for id in ["email", "name", "digest-weekly", "topic-money", "consent", "website"] {
                    #expect(html.contains("<label for=\"\(id)\">"), "no label for \(id)")
                    #expect(html.contains("id=\"\(id)\""), "no field \(id)")
                }
                #expect(html.contains("<label for=\"consent\">Yes, email me about changes to the pages for carers.</label>"))
                #expect(html.contains("<html lang=\"en\""))
                #expect(html.contains("Peak District Carers"))
                #expect(!html.contains("<script"))
                #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
                #expect(response.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
                #expect(response.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
                #expect(response.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
                #expect(response.headers[.cacheControl] == "no-store")
            }
        }
    }

    @Test("a sign-up makes a pending subscriber with a web consent record and queues the confirmation email in one go")
    func signup() async throws {
        let fixture = try WebFixture()
        try fixture.addPages(topics: ["money", "mental-health"])
        try await fixture.app().test(.router) { client in
            let response = try await client.execute(uri: "/subscribe", method: .post, headers: formHeaders, body: formBody(Self.good))
            #expect(response.status == .ok)
            #expect(response.text.contains("Check your inbox"))
        }
        let subscriber = try #require(try fixture.subscriber("ann@example.org"))
        #expect(subscriber.status == .pending)
        #expect(subscriber.name == "Ann Carer")
        #expect(subscriber.digest == .monthly)
        #expect(subscriber.topics == ["money", "mental-health"])
        let consent = try fixture.consent(subscriber)
        #expect(consent.count == 1)
        #expect(consent.first?.actor == "web")
        #expect(consent.first?.action == .subscribed)
        #expect(consent.first?.wording == HTTPSettings.defaultConsentWording(siteName: "Peak District Carers"))
        let outbox = try fixture.outbox()
        #expect(outbox.map(\.kind) == [.confirm])
        #expect(outbox.first?.subscriberID == subscriber.id)
        #expect(outbox.first?.state == .queued)
    }

    @Test("the answer is the same for a new, a pending and an active address; pending is sent the link again, active nothing")
    func sameAnswer() async throws {
        let fixture = try WebFixture()
        try fixture.add("pending@example.org", status: .pending)
        try fixture.add("active@example.org", status: .active)
        let bodies = try await fixture.app().test(.router) { client in
            var bodies: [String] = []
            for email in ["new@example.org", "pending@example.org", "active@example.org"] {
                let response = try await client.execute(
                    uri: "/subscribe", method: .post, headers: formHeaders, body: formBody([("email", email), ("consent", "yes")]))
                #expect(response.status == .ok)
                bodies.append(response.text)
            }
            return bodies
        }
        #expect(Set(bodies).count == 1, "the pages differ")
        let kinds = try fixture.outbox().filter { $0.state != .cancelled }.map { "\($0.envelopeTo) \($0.kind.rawValue)" }
        #expect(kinds == ["new@example.org confirm", "pending@example.org confirm"])
        // The active address's confirmation was rendered and written like the others, then cancelled unsent.
        #expect(try fixture.outbox().filter { $0.state == .cancelled }.map(\.envelopeTo) == ["active@example.org"])
        #expect(try fixture.subscriber("active@example.org")?.status == .active)
    }

    @Test("someone who unsubscribed can sign up again: pending, fresh consent, a new confirmation")
    func comesBack() async throws {
        let fixture = try WebFixture()
        try fixture.add("back@example.org", status: .unsubscribed)
        try await fixture.app().test(.router) { client in
            let response = try await client.execute(
                uri: "/subscribe", method: .post, headers: formHeaders, body: formBody([("email", "back@example.org"), ("consent", "on")]))
            #expect(response.status == .ok)
        }
        let subscriber = try #require(try fixture.subscriber("back@example.org"))
        #expect(subscriber.status == .pending)
        #expect(try fixture.consent(subscriber).last?.action == .resubscribed)
        #expect(try fixture.outbox().map(\.kind) == [.confirm])
    }

    @Test(
        "bad input shows the form again with the problem, 400, and stores nothing",
        arguments: [
            ([("consent", "yes")], "Enter your email address."),
            ([("email", "not an address"), ("consent", "yes")], "Enter an email address like name@example.org."),
            ([("email", "ann@example.org\r\nBcc: x@example.org"), ("consent", "yes")], "Enter an email address like name@example.org."),
            ([("email", "ann@example.org")], "Tick the box to say you agree to get these emails."),
            ([("email", "ann@example.org"), ("consent", "yes"), ("digest", "hourly")], "Choose how often to get the email."),
            ([("email", "ann@example.org"), ("consent", "yes"), ("blog", "sometimes")], "Choose when to hear about new blog posts."),
            ([("email", "ann@example.org"), ("consent", "yes"), ("name", "Ann\u{7}")], "Your name must be one line"),
            ([("email", "ann@example.org"), ("consent", "yes"), ("topics", "!!!")], "One of the topics is not one we know."),
        ] as [([(String, String)], String)])
    func badInput(fields: [(String, String)], problem: String) async throws {
        let fixture = try WebFixture()
        let before = try fixture.snapshot()
        try await fixture.app().test(.router) { client in
            let response = try await client.execute(uri: "/subscribe", method: .post, headers: formHeaders, body: formBody(fields))
            #expect(response.status == .badRequest)
            #expect(response.text.contains("There is a problem"))
            #expect(response.text.contains(problem))
            // The summary links each problem to its field.
            #expect(response.text.contains("<li><a href=\"#"))
        }
        #expect(try fixture.snapshot() == before)
    }

    @Test("a filled-in honeypot gets the usual answer and nothing happens")
    func honeypot() async throws {
        let fixture = try WebFixture()
        let before = try fixture.snapshot()
        try await fixture.app().test(.router) { client in
            let response = try await client.execute(
                uri: "/subscribe", method: .post, headers: formHeaders, body: formBody(Self.good + [("website", "http://spam.example")]))
            #expect(response.status == .ok)
            #expect(response.text.contains("Check your inbox"))
        }
        #expect(try fixture.snapshot() == before)
    }

    @Test("a topic the site does not have is refused with the form, not saved to wait for pages that never come")
    func unknownTopic() async throws {
        let fixture = try WebFixture()
        try fixture.addPages(topics: ["money"])
        let before = try fixture.snapshot()
        try await fixture.app().test(.router) { client in
            let response = try await client.execute(uri: "/subscribe", method: .post, headers: formHeaders, body: formBody(Self.good))
            #expect(response.status == .badRequest)
            #expect(response.text.contains("One of the topics is not one we know."))
            #expect(response.text.contains("id=\"topic-money\" name=\"topics\" value=\"money\" checked"), "the choice is kept")
        }
        #expect(try fixture.snapshot() == before)
    }

    @Test("http.after_subscribe_url: a 303 to the site's thank-you page, allowed as a form target")
    func redirect() async throws {
        let fixture = try WebFixture(http: ["after_subscribe_url: https://carers.example.org/thank-you/"])
        try fixture.addPages(topics: ["money", "mental-health"])
        try await fixture.app().test(.router) { client in
            let response = try await client.execute(uri: "/subscribe", method: .post, headers: formHeaders, body: formBody(Self.good))
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "https://carers.example.org/thank-you/")
            #expect(response.headers[.contentSecurityPolicy]?.contains("form-action 'self' https://carers.example.org") == true)
        }
        #expect(try fixture.subscriber("ann@example.org")?.status == .pending)
    }

    @Test("per client address: over the limit is 429 with Retry-After; another address (through the trusted proxy) still gets in")
    func perAddressLimit() async throws {
        let fixture = try WebFixture(http: ["rate_limit:", "  per_address: 2"])
        try await fixture.app().test(.live) { client in
            for n in 1...2 {
                let response = try await client.execute(
                    uri: "/subscribe", method: .post, headers: formHeaders, body: formBody([("email", "p\(n)@example.org"), ("consent", "yes")]))
                #expect(response.status == .ok)
            }
            let refused = try await client.execute(
                uri: "/subscribe", method: .post, headers: formHeaders, body: formBody([("email", "p3@example.org"), ("consent", "yes")]))
            #expect(refused.status == .tooManyRequests)
            #expect(Int(refused.headers[.retryAfter] ?? "") ?? 0 > 0)
            #expect(refused.text.contains("Please try again later"))
            var forwarded = formHeaders
            forwarded[HTTPField.Name("X-Forwarded-For")!] = "203.0.113.9"
            let other = try await client.execute(
                uri: "/subscribe", method: .post, headers: forwarded, body: formBody([("email", "p4@example.org"), ("consent", "yes")]))
            #expect(other.status == .ok)
        }
        #expect(try fixture.subscriber("p3@example.org") == nil)
        let p4 = try #require(try fixture.subscriber("p4@example.org"))
        #expect(try fixture.consent(p4).first?.clientAddress == "203.0.113.9")
        // p1 came straight from the trusted proxy's address with no X-Forwarded-For: unknown.
        #expect(try fixture.consent(try #require(try fixture.subscriber("p1@example.org"))).first?.clientAddress == nil)
    }

    @Test("per email address: over the limit the answer is the same, but no more confirmation emails go out")
    func perEmailLimit() async throws {
        let fixture = try WebFixture(http: ["rate_limit:", "  per_email: 2"])
        let bodies = try await fixture.app().test(.router) { client in
            var bodies: Set<String> = []
            for _ in 1...4 {
                let response = try await client.execute(
                    uri: "/subscribe", method: .post, headers: formHeaders, body: formBody([("email", "Flood@Example.org"), ("consent", "yes")]))
                #expect(response.status == .ok)
                bodies.insert(response.text)
            }
            return bodies
        }
        #expect(bodies.count == 1)
        #expect(try fixture.outbox().count == 2)
    }
}
