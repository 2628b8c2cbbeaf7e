import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import NewsletterCore
import Testing

@testable import NewsletterWeb

@Suite("Health, metrics, and what every route does with bad requests")
struct ServiceRouteTests {
    @Test("GET /healthz is ok when the database answers")
    func health() async throws {
        let fixture = try WebFixture()
        try await fixture.app().test(.router) { client in
            let response = try await client.execute(uri: "/healthz", method: .get)
            #expect(response.status == .ok)
            #expect(response.text == "ok\n")
            let head = try await client.execute(uri: "/healthz", method: .head)
            #expect(head.status == .ok)
        }
    }

    @Test("GET /metrics on loopback: Prometheus text with the queue, subscribers by status and the message counters")
    func metrics() async throws {
        // No proxy in front: the loopback peer is the client.
        let fixture = try WebFixture(http: ["trusted_proxies: []"])
        try fixture.add("a@example.org")
        try fixture.add("b@example.org", status: .pending)
        try await fixture.app().test(.live) { client in
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = response.text
            for line in [
                "newsletter_subscribers{status=\"active\"} 1.0", "newsletter_subscribers{status=\"pending\"} 1.0",
                "newsletter_subscribers{status=\"unsubscribed\"} 0.0", "newsletter_queue_depth{state=\"queued\"} 0.0", "newsletter_messages_sent_total 0", "newsletter_messages_deferred_total 0",
                "newsletter_messages_failed_total 0", "newsletter_digests_queued_total{cadence=\"weekly\"} 0",
            ] {
                #expect(text.contains(line), "missing \(line) in\n\(text)")
            }
        }
    }

    @Test("/metrics is refused to a client the trusted proxy forwarded from outside, and absent where http.metrics_listen serves it")
    func metricsAccess() async throws {
        let fixture = try WebFixture()
        try await fixture.app().test(.live) { client in
            let response = try await client.execute(uri: "/metrics", method: .get, headers: [HTTPField.Name("X-Forwarded-For")!: "198.51.100.7"])
            #expect(response.status == .forbidden)
        }
        try await fixture.app(metrics: .none).test(.live) { client in
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .notFound)
        }
        try await fixture.app(metrics: .everyone, publicPages: false).test(.live) { client in
            let response = try await client.execute(uri: "/metrics", method: .get, headers: [HTTPField.Name("X-Forwarded-For")!: "198.51.100.7"])
            #expect(response.status == .ok)
            let page = try await client.execute(uri: "/subscribe", method: .get)
            #expect(page.status == .notFound)
        }
    }

    @Test(
        "a method a route does not take is 405 with Allow",
        arguments: [("/subscribe", HTTPRequest.Method.put), ("/confirm/abc", .delete), ("/unsubscribe/abc", .patch), ("/preferences/abc", .options), ("/healthz", .post)])
    func methodNotAllowed(uri: String, method: HTTPRequest.Method) async throws {
        let fixture = try WebFixture()
        try await fixture.app().test(.router) { client in
            let response = try await client.execute(uri: uri, method: method)
            #expect(response.status == .methodNotAllowed)
            #expect(response.headers[.allow]?.contains("GET") == true)
            #expect(response.text.contains("This page cannot be used that way."))
        }
    }

    @Test("a body over 16 KB is 413, on every POST route, and stores nothing", arguments: ["/subscribe", "/confirm/x", "/unsubscribe/x", "/preferences/x"])
    func tooLarge(uri: String) async throws {
        let fixture = try WebFixture()
        let before = try fixture.snapshot()
        let big = "email=ann%40example.org&consent=yes&name=" + String(repeating: "a", count: 16 * 1024)
        try await fixture.app().test(.live) { client in
            let response = try await client.execute(uri: uri, method: .post, headers: formHeaders, body: ByteBuffer(string: big))
            #expect(response.status == .contentTooLarge)
            #expect(response.text.contains("That was too much to send"))
            let fits = try await client.execute(
                uri: "/subscribe", method: .post, headers: formHeaders, body: ByteBuffer(string: String(big.prefix(16 * 1024))))
            #expect(fits.status != .contentTooLarge)
        }
        // The one that fits has a name too long to take: nothing is stored either way.
        #expect(try fixture.snapshot() == before)
    }

    @Test("an unknown address is a friendly 404 page with the security headers")
    func notFound() async throws {
        let fixture = try WebFixture()
        try await fixture.app().test(.router) { client in
            let response = try await client.execute(uri: "/wp-login.php", method: .get)
            #expect(response.status == .notFound)
            #expect(response.text.contains("Page not found"))
            #expect(response.headers[.contentSecurityPolicy] != nil)
        }
    }

    @Test("no GET or HEAD changes anything, whatever the subscriber's state")
    func getsChangeNothing() async throws {
        let fixture = try WebFixture(http: ["trusted_proxies: []"])
        var uris = ["/subscribe", "/healthz", "/metrics", "/subscribe?email=x%40example.org&consent=yes"]
        for (email, status) in [("p@example.org", SubscriberStatus.pending), ("a@example.org", .active), ("u@example.org", .unsubscribed)] {
            let subscriber = try fixture.add(email, status: status)
            for purpose in LinkTokens.Purpose.allCases {
                uris.append("/\(purpose.rawValue)/" + fixture.token(subscriber, purpose))
            }
        }
        let before = try fixture.snapshot()
        let all = uris
        try await fixture.app().test(.live) { client in
            for uri in all {
                for method in [HTTPRequest.Method.get, .head] {
                    let response = try await client.execute(uri: uri, method: method)
                    #expect(response.status == .ok, "\(method) \(uri)")
                }
            }
        }
        #expect(try fixture.snapshot() == before)
    }
}
