import Foundation
import GRDB
import NewsletterCore
import NewsletterTestSupport
import Testing

/// Links in emails, against the real daemon and CLI: a link acts only on the subscriber it
/// was made for, and a rotated link secret keeps old links working for a while, then not.
@Suite("Links against the running daemon: erased subscribers, rotated secrets")
struct LinkSafetyTests {
    typealias Web = WebEndpointTests

    /// The delivered message to `address` whose subject contains `subject`.
    static func message(_ fixture: DaemonFixture, to address: String, subject: String) async throws -> PythonEmail.Parsed? {
        for file in fixture.delivered() {
            guard let data = FileManager.default.contents(atPath: fixture.dir.path("Maildir/new/\(file)")) else { continue }
            let parsed = try await PythonEmail.parse(data)
            if parsed.header("Subject")?.contains(subject) == true, parsed.header("To")?.contains(address) == true { return parsed }
        }
        return nil
    }

    static func text(_ fixture: DaemonFixture, to address: String, subject: String) async throws -> String {
        var found: PythonEmail.Parsed?
        let arrived = try await waitUntil(timeout: 60) {
            found = try await message(fixture, to: address, subject: subject)
            return found != nil
        }
        guard arrived, let text = found?.parts.first(where: { $0.type == "text/plain" })?.content else {
            throw TestSetupError("no \(subject) email to \(address)")
        }
        return text
    }

    static func signUp(_ base: URL, _ address: String) async throws {
        let encoded = address.replacingOccurrences(of: "@", with: "%40")
        let (status, answer, _) = try await Web.request(
            base.appendingPathComponent("subscribe"), "POST", body: "email=\(encoded)&digest=weekly&consent=yes")
        guard status == 200 else { throw TestSetupError("sign-up of \(address) answered \(status): \(answer)") }
    }

    static func start(_ fixture: DaemonFixture) async throws -> (RunningProcess, URL) {
        let (daemon, base, _) = try await Web.start(fixture)
        return (daemon, base)
    }

    func subscriber(_ fixture: DaemonFixture, _ address: String) throws -> Subscriber? {
        try fixture.store().read { tx in try tx.subscriber(key: address) }
    }

    @Test("an erased subscriber's confirm, preferences and unsubscribe links do nothing to the next person, even with the same id")
    func erasedSubscribersLinks() async throws {
        let fixture = try DaemonFixture()
        let (daemon, base) = try await Self.start(fixture)
        defer { if daemon.process.isRunning { daemon.signal(SIGKILL) } }
        let keeper = try await Binaries.run("newsletterctl", ["subscribers", "add", "keeper@example.org", "--config", fixture.config])
        #expect(keeper.status == 0, "\(keeper)")

        // The first person signs up, confirms and keeps their links.
        try await Self.signUp(base, "first@example.org")
        let confirmText = try await Self.text(fixture, to: "first@example.org", subject: "onfirm")
        let confirm = try #require(Web.token(in: confirmText, "confirm"))
        let (confirmed, _, _) = try await Web.request(base.appendingPathComponent("confirm/\(confirm)"), "POST", body: "")
        #expect(confirmed == 200)
        let welcomeText = try await Self.text(fixture, to: "first@example.org", subject: "Welcome")
        let preferences = try #require(Web.token(in: welcomeText, "preferences"), "\(welcomeText)")
        let unsubscribe = try #require(Web.token(in: welcomeText, "unsubscribe"), "\(welcomeText)")
        let firstID = try #require(try subscriber(fixture, "first@example.org")).id

        // They are erased; the next person signs up.
        let erased = try await Binaries.run("newsletterctl", ["subscribers", "erase", "first@example.org", "--yes", "--config", fixture.config])
        #expect(erased.status == 0, "\(erased)")
        try await Self.signUp(base, "second@example.org")
        _ = try await Self.text(fixture, to: "second@example.org", subject: "onfirm")

        try await expectOldLinksDoNothing(fixture, base, confirm: confirm, preferences: preferences, unsubscribe: unsubscribe)

        // Were the id handed out again (a restore, another database), the links still do nothing.
        let secondID = try #require(try subscriber(fixture, "second@example.org")).id
        if secondID != firstID {
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            let database = try DatabaseQueue(path: fixture.dir.path("data/newsletter.db"), configuration: configuration)
            try await database.write { db in
                try db.execute(sql: "PRAGMA defer_foreign_keys = ON")
                for table in ["subscriber SET id", "consent_log SET subscriber_id", "outbox SET subscriber_id", "digest SET subscriber_id"] {
                    let column = table.split(separator: " ").last!
                    try db.execute(sql: "UPDATE \(table) = ? WHERE \(column) = ?", arguments: [firstID, secondID])
                }
            }
        }
        #expect(try subscriber(fixture, "second@example.org")?.id == firstID)
        try await expectOldLinksDoNothing(fixture, base, confirm: confirm, preferences: preferences, unsubscribe: unsubscribe)

        daemon.signal(SIGTERM)
        #expect(await daemon.wait().status == 0)
    }

    private func expectOldLinksDoNothing(
        _ fixture: DaemonFixture, _ base: URL, confirm: String, preferences: String, unsubscribe: String
    ) async throws {
        let (shown, page, _) = try await Web.request(base.appendingPathComponent("preferences/\(preferences)"))
        #expect(shown == 404, "\(page)")
        #expect(!page.contains("second@example.org"))
        let (saved, _, _) = try await Web.request(
            base.appendingPathComponent("preferences/\(preferences)"), "POST", body: "digest=daily&blog=off")
        #expect(saved == 404)
        let (confirmShown, _, _) = try await Web.request(base.appendingPathComponent("confirm/\(confirm)"))
        #expect(confirmShown == 404)
        let (confirmPosted, _, _) = try await Web.request(base.appendingPathComponent("confirm/\(confirm)"), "POST", body: "")
        #expect(confirmPosted == 404)
        let (left, _, _) = try await Web.request(
            base.appendingPathComponent("unsubscribe/\(unsubscribe)"), "POST", body: "List-Unsubscribe=One-Click")
        #expect(left == 404)

        let second = try #require(try subscriber(fixture, "second@example.org"))
        #expect(second.status == .pending)
        #expect(second.digest == .weekly && second.blog != .off)
        let log = try fixture.store().read { tx in try tx.consentLog(subscriberID: second.id) }
        #expect(!log.contains { [.confirmed, .preferences, .unsubscribed].contains($0.action) }, "\(log)")
    }

    @Test("links rotate-secret: new links use the new secret, old links work for links.previous_key_days, then are refused")
    func rotateSecret() async throws {
        let fixture = try DaemonFixture()
        let (daemon, base) = try await Self.start(fixture)
        defer { if daemon.process.isRunning { daemon.signal(SIGKILL) } }
        try await Self.signUp(base, "ann@example.org")
        let confirm = try #require(Web.token(in: try await Self.text(fixture, to: "ann@example.org", subject: "onfirm"), "confirm"))
        #expect(try await Web.request(base.appendingPathComponent("confirm/\(confirm)"), "POST", body: "").0 == 200)
        let old = try #require(Web.token(in: try await Self.text(fixture, to: "ann@example.org", subject: "Welcome"), "unsubscribe"))
        let oldURL = base.appendingPathComponent("unsubscribe/\(old)")
        #expect(try await Web.request(oldURL).0 == 200)
        let secretPath = fixture.dir.path("data/link-secret")
        let oldSecret = try Data(contentsOf: URL(fileURLWithPath: secretPath))

        let rotated = try await Binaries.run("newsletterctl", ["links", "rotate-secret", "--config", fixture.config])
        #expect(rotated.status == 0, "\(rotated)")
        #expect(rotated.stdout.contains("keep working for 90 days"), "\(rotated.stdout)")
        let newSecret = try Data(contentsOf: URL(fileURLWithPath: secretPath))
        #expect(newSecret.count == 32 && newSecret != oldSecret)

        // The unsubscribe page links to the preferences with a token signed as it is shown:
        // the daemon soon signs with the new secret, without a reload.
        let ann = try #require(try subscriber(fixture, "ann@example.org"))
        var fresh: String?
        let deadline = Date() + 30
        while fresh == nil && Date() < deadline {
            let (status, page, _) = try await Web.request(oldURL)
            #expect(status == 200)
            if let range = page.range(of: "preferences/[A-Za-z0-9._-]+", options: .regularExpression) {
                let token = String(page[range].dropFirst("preferences/".count))
                if LinkTokens(secret: newSecret).claim(token, purpose: .preferences)?.holds(for: ann, at: Date()) == true { fresh = token }
            }
            if fresh == nil { try await Task.sleep(nanoseconds: 100_000_000) }
        }
        let new = try #require(fresh, "the daemon never signed with the new secret")
        let newURL = base.appendingPathComponent("preferences/\(new)")
        #expect(try await Web.request(newURL).0 == 200)
        // The link signed with the old secret still works.
        #expect(try await Web.request(oldURL).0 == 200)

        // 91 days after the rotation (as the retired-secrets file records it), the old link is
        // refused: the daemon notices the file without a reload.
        let previousPath = secretPath + ".previous"
        let previous = try String(contentsOfFile: previousPath, encoding: .utf8)
        let aged = previous.split(separator: "\n").map { line -> String in
            let fields = line.split(separator: " ")
            guard !line.hasPrefix("#"), fields.count == 2, let seconds = Int(fields[0]) else { return String(line) }
            return "\(seconds - 91 * 86400) \(fields[1])"
        }.joined(separator: "\n") + "\n"
        #expect(aged != previous)
        try aged.write(toFile: previousPath, atomically: true, encoding: .utf8)
        var refused = false
        let agedDeadline = Date() + 30
        while !refused && Date() < agedDeadline {
            refused = try await Web.request(oldURL).0 == 404
            if !refused { try await Task.sleep(nanoseconds: 100_000_000) }
        }
        #expect(refused)
        #expect(try await Web.request(newURL).0 == 200)
        #expect(try subscriber(fixture, "ann@example.org")?.status == .active)

        daemon.signal(SIGTERM)
        #expect(await daemon.wait().status == 0)
    }
}
