import Foundation
import NewsletterCompose
import NewsletterCore
import NewsletterTestSupport
import Testing

@testable import NewsletterWeb

@Suite("The pages' parts: forms, client addresses, limits, config, templates")
struct WebPartsTests {
    @Test("form bodies: + and %XX, repeated fields, odd bytes")
    func formBody() {
        let form = FormBody(parsing: Array("email=ann%2Bnews%40example.org&name=Ann+O%27Neil&topics=a&topics=b&flag&bad=%zz%E2%9C%93".utf8))
        #expect(form["email"] == "ann+news@example.org")
        #expect(form["name"] == "Ann O'Neil")
        #expect(form.all("topics") == ["a", "b"])
        #expect(form["flag"] == "")
        #expect(form["bad"] == "%zz✓")
        #expect(FormBody(parsing: Array("List-Unsubscribe=One-Click".utf8))["List-Unsubscribe"] == "One-Click")
        #expect(FormBody(parsing: [UInt8]()).fields.isEmpty)
    }

    @Test("X-Forwarded-For is believed only from a trusted proxy, read from the right")
    func clientAddress() throws {
        let rule = ClientAddressRule(trustedProxies: ["127.0.0.1", "::1", "10.0.0.0/8"].compactMap(IPAddressRange.init))
        #expect(rule.client(peer: "203.0.113.5", forwardedFor: ["198.51.100.1"]) == "203.0.113.5")
        // The proxy said nothing: unknown, never the proxy's own loopback address.
        #expect(rule.client(peer: "127.0.0.1", forwardedFor: []) == nil)
        #expect(rule.client(peer: "127.0.0.1", forwardedFor: ["198.51.100.1"]) == "198.51.100.1")
        // A client's own X-Forwarded-For to the proxy is left of what the proxy adds.
        #expect(rule.client(peer: "127.0.0.1", forwardedFor: ["6.6.6.6, 198.51.100.1"]) == "198.51.100.1")
        #expect(rule.client(peer: "::ffff:127.0.0.1", forwardedFor: ["198.51.100.1", "10.1.2.3"]) == "198.51.100.1")
        // An unreadable hop left of the trusted ones: unknown, not the last proxy.
        #expect(rule.client(peer: "127.0.0.1", forwardedFor: ["garbage, 10.1.2.3"]) == nil)
        #expect(rule.client(peer: "::1", forwardedFor: ["2001:db8::1"]) == "2001:db8::1")
        #expect(rule.client(peer: nil, forwardedFor: ["198.51.100.1"]) == nil)
        #expect(ClientAddressRule(trustedProxies: []).client(peer: "127.0.0.1", forwardedFor: ["198.51.100.1"]) == "127.0.0.1")
    }

    @Test("address ranges")
    func ranges() throws {
        let net = try #require(IPAddressRange("192.168.0.0/16"))
        #expect(net.contains("192.168.4.5"))
        #expect(!net.contains("192.169.0.1"))
        #expect(!net.contains("::1"))
        #expect(try #require(IPAddressRange("fd00::/8")).contains("fd12::1"))
        #expect(IPAddressRange("10.0.0.0/33") == nil)
        #expect(IPAddressRange("example.org") == nil)
        #expect(IPAddressRange.isLoopback("127.0.0.2"))
        #expect(IPAddressRange.isLoopback("::1"))
        #expect(!IPAddressRange.isLoopback("10.0.0.1"))
    }

    @Test("the sliding window allows `limit` per window, then says how long to wait")
    func limiter() {
        let limiter = SlidingWindowLimiter(limit: 2, window: 60)
        let start = Date(timeIntervalSince1970: 1_000_000)
        #expect(limiter.attempt("a", at: start).allowed)
        #expect(limiter.attempt("a", at: start + 10).allowed)
        let refused = limiter.attempt("a", at: start + 20)
        #expect(!refused.allowed)
        #expect(refused.retryAfter == 40)
        #expect(limiter.attempt("b", at: start + 20).allowed)
        #expect(limiter.attempt("a", at: start + 61).allowed)
    }

    @Test("the http settings: every key, and the defaults")
    func settings() throws {
        let yaml = """
            site:
              base_url: https://carers.example.org
            http:
              public_url: https://news.carers.example.org
              listen: "[::1]:8025"
              metrics_listen: 127.0.0.1:9125
              after_subscribe_url: https://carers.example.org/thanks?from=news
              trusted_proxies: [10.0.0.0/8]
              consent_wording: Yes please.
              rate_limit:
                per_address: 5
                per_email: 2
                window: 30m
            """
        let http = try Settings.parse(yaml: yaml, file: "/tmp/n.yaml").http
        #expect(http.listen == ListenAddress(host: "::1", port: 8025))
        #expect(http.metricsListen?.description == "127.0.0.1:9125")
        #expect(http.afterSubscribeURL?.absoluteString == "https://carers.example.org/thanks?from=news")
        #expect(http.trustedProxies.map(\.description) == ["10.0.0.0/8"])
        #expect(http.consentWording == "Yes please.")
        #expect(http.rateLimit == RateLimitSettings(perAddress: 5, perEmail: 2, window: 1800))
        let defaults = try Settings.parse(yaml: "site:\n  name: Derby Carers\n", file: "/tmp/n.yaml").http
        #expect(defaults.listen == nil)
        #expect(defaults.trustedProxies.map(\.description) == ["127.0.0.1", "::1"])
        #expect(defaults.consentWording == "Yes, please email me updates from Derby Carers. I can unsubscribe at any time.")
        #expect(defaults.rateLimit == RateLimitSettings())
    }

    @Test(
        "bad http values stop with exit 78, naming the key",
        arguments: [
            ("http:\n  listen: 8025\n", "http.listen: expected a host and port such as 127.0.0.1:8025"),
            ("http:\n  listen: 127.0.0.1:99999\n", "http.listen: expected a host and port"),
            ("http:\n  after_subscribe_url: https://evil.example/\n", "http.after_subscribe_url: \"https://evil.example/\" is not on the configured site"),
            ("http:\n  trusted_proxies: [proxy.local]\n", "http.trusted_proxies: expected IP addresses or ranges"),
            ("http:\n  rate_limit:\n    per_adress: 3\n", "unknown key http.rate_limit.per_adress (did you mean http.rate_limit.per_address?)"),
            ("http:\n  listen: 127.0.0.1:8025\n  metrics_listen: 127.0.0.1:8025\n", "http.metrics_listen: must differ from http.listen"),
        ])
    func badSettings(yaml: String, message: String) {
        let site = "site:\n  base_url: https://carers.example.org\n"
        #expect {
            _ = try Settings.parse(yaml: site + yaml, file: "/tmp/n.yaml")
        } throws: { error in
            guard let error = error as? NewsletterError else { return false }
            return error.exitStatus == .config && error.message.contains(message)
        }
    }

    @Test("page templates: the shipped ones load; a missing folder or a broken template is a config error naming the file and line")
    func templates() throws {
        _ = try PageTemplates.load(templatesDir: RepositoryPaths.templates)
        let dir = TemporaryDirectory("web-templates")
        #expect(throws: NewsletterError.self) { try PageTemplates.load(templatesDir: dir.path) }
        try FileManager.default.copyItem(atPath: RepositoryPaths.templates + "/web", toPath: dir.path("web"))
        try dir.write("web/confirm.html", "{{> header}}\n<h1>Confirm</h1>\n{{#open}}\n{{> footer}}\n")
        #expect {
            _ = try PageTemplates.load(templatesDir: dir.path)
        } throws: { error in
            let message = (error as? NewsletterError)?.message ?? ""
            return message.contains("web/confirm.html, line 3") && message.contains("never closed")
        }
    }
}
