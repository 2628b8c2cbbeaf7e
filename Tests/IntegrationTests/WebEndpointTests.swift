import Foundation
import NewsletterCore
import NewsletterTestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@Suite("newsletterd's web pages over real HTTP")
struct WebEndpointTests {
    /// Starts newsletterd with `http.listen` on an ephemeral loopback port and returns it with
    /// the address it reported in its READY status line.
    static func start(_ fixture: DaemonFixture) async throws -> (RunningProcess, URL, NotifyListener) {
        let config = try String(contentsOfFile: fixture.config, encoding: .utf8).replacingOccurrences(
            of: "  public_url: https://carers.example.org/newsletter\n",
            with: "  public_url: https://carers.example.org/newsletter\n  listen: 127.0.0.1:0\n")
        try fixture.dir.write("newsletter.yaml", config)
        let listener = try NotifyListener(path: fixture.dir.path("notify.sock"))
        let daemon = try Binaries.start("newsletterd", ["--config", fixture.config], environment: ["NOTIFY_SOCKET": listener.path])
        let ready = try await SystemdProtocolTests.read(listener, until: "READY=1")
        guard let line = ready.last(where: { $0.hasPrefix("READY=1") }), let range = line.range(of: #"web http://127\.0\.0\.1:\d+"#, options: .regularExpression)
        else {
            daemon.signal(SIGKILL)
            throw TestSetupError("no web address in the READY status: \(ready)\n\(await daemon.wait())")
        }
        return (daemon, URL(string: String(line[range].dropFirst(4)))!, listener)
    }

    static func request(_ url: URL, _ method: String = "GET", body: String? = nil) async throws -> (Int, String, [AnyHashable: Any]) {
        var request = URLRequest(url: url)
        request.httpMethod = method
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        return (http.statusCode, String(decoding: data, as: UTF8.self), http.allHeaderFields)
    }

    /// The decoded text part of the delivered message whose subject contains `subject`.
    static func message(_ fixture: DaemonFixture, subject: String) async throws -> PythonEmail.Parsed? {
        for file in fixture.delivered() {
            guard let data = FileManager.default.contents(atPath: fixture.dir.path("Maildir/new/\(file)")) else { continue }
            let parsed = try await PythonEmail.parse(data)
            if parsed.header("Subject")?.contains(subject) == true { return parsed }
        }
        return nil
    }

    static func token(in text: String, _ purpose: String) -> String? {
        guard let range = text.range(of: "carers.example.org/newsletter/\(purpose)/[A-Za-z0-9._-]+", options: .regularExpression) else { return nil }
        return String(text[range].split(separator: "/").last!)
    }

    @Test("sign-up → confirmation email in the Maildir → confirm → welcome → one-click unsubscribe → metrics; SIGTERM exits 0")
    func fullCircle() async throws {
        let fixture = try DaemonFixture()
        let (daemon, base, _) = try await Self.start(fixture)
        defer { if daemon.process.isRunning { daemon.signal(SIGKILL) } }

        let (health, ok, _) = try await Self.request(base.appendingPathComponent("healthz"))
        #expect(health == 200 && ok == "ok\n")
        let (formStatus, page, headers) = try await Self.request(base.appendingPathComponent("subscribe"))
        #expect(formStatus == 200 && page.contains("<label for=\"email\">"))
        #expect((headers["Content-Security-Policy"] as? String)?.contains("frame-ancestors 'none'") == true)

        let (status, answer, _) = try await Self.request(
            base.appendingPathComponent("subscribe"), "POST", body: "email=carer%40example.org&name=Sam&digest=weekly&consent=yes")
        #expect(status == 200 && answer.contains("Check your inbox"))

        var confirmation: PythonEmail.Parsed?
        #expect(try await fixture.wait(120) { confirmation = try await Self.message(fixture, subject: "confirm"); return confirmation != nil })
        let confirmText = try #require(confirmation?.parts.first { $0.type == "text/plain" }?.content)
        let confirmToken = try #require(Self.token(in: confirmText, "confirm"), "\(confirmText)")
        let store = try fixture.store()
        #expect(try store.read { tx in try tx.subscriber(key: "carer@example.org") }?.status == .pending)

        let confirmURL = base.appendingPathComponent("confirm").appendingPathComponent(confirmToken)
        let (shown, button, _) = try await Self.request(confirmURL)
        #expect(shown == 200 && button.contains("Confirm my subscription"))
        #expect(try store.read { tx in try tx.subscriber(key: "carer@example.org") }?.status == .pending, "the GET confirmed")
        let (confirmed, done, _) = try await Self.request(confirmURL, "POST", body: "")
        #expect(confirmed == 200 && done.contains("You are signed up"))
        #expect(try store.read { tx in try tx.subscriber(key: "carer@example.org") }?.status == .active)

        var welcome: PythonEmail.Parsed?
        #expect(try await fixture.wait(120) { welcome = try await Self.message(fixture, subject: "Welcome"); return welcome != nil })
        let listUnsubscribe = try #require(welcome?.header("List-Unsubscribe"))
        let unsubscribeToken = try #require(Self.token(in: listUnsubscribe, "unsubscribe"), "\(listUnsubscribe)")
        #expect(welcome?.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click")

        let (gone, text, _) = try await Self.request(
            base.appendingPathComponent("unsubscribe").appendingPathComponent(unsubscribeToken), "POST", body: "List-Unsubscribe=One-Click")
        #expect(gone == 200 && text == "You are unsubscribed.\n")
        #expect(try store.read { tx in try tx.subscriber(key: "carer@example.org") }?.status == .unsubscribed)

        // The proxy forwarding a local client: a request straight from loopback is an unknown client.
        let (scraped, metrics) = try await WebHardeningTests.request(base.appendingPathComponent("metrics"), forwardedFor: "127.0.0.1")
        #expect(scraped == 200)
        #expect(metrics.contains("newsletter_messages_sent_total 2"), "\(metrics)")
        #expect(metrics.contains("newsletter_subscribers{status=\"unsubscribed\"} 1.0"))
        #expect(metrics.contains("newsletter_web_signups_total{outcome=\"added\"} 1"))

        daemon.signal(SIGTERM)
        let result = await daemon.wait()
        #expect(result.status == 0, "\(result)")
    }

    @Test("a port already taken: one line naming http.listen, non-zero exit")
    func portTaken() async throws {
        let fixture = try DaemonFixture()
        let (first, base, _) = try await Self.start(fixture)
        let config = try String(contentsOfFile: fixture.config, encoding: .utf8).replacingOccurrences(
            of: "listen: 127.0.0.1:0", with: "listen: 127.0.0.1:\(base.port!)")
        let second = fixture.dir.path("second.yaml")
        try config.replacingOccurrences(of: "path: data/newsletter.db", with: "path: data2/newsletter.db").write(
            toFile: second, atomically: true, encoding: .utf8)
        let attempt = try? await Binaries.run("newsletterd", ["--config", second])
        first.signal(SIGKILL)
        await first.wait()
        let result = try #require(attempt)
        #expect(result.status == 69, "\(result)")
        #expect(result.stderr.contains("(http.listen)"), "\(result.stderr)")
    }
}
