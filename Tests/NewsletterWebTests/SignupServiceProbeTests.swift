import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NewsletterCore
import NewsletterTestSupport
import NewsletterWeb
import Synchronization
import Testing

/// The sign-up service's steps, seen through its probe, and the form's topic cache.
@Suite("Sign-up service: the same steps on every path; site topics read once per scan")
struct SignupServiceProbeTests {
    final class Steps: Sendable {
        private let recorded = Mutex<[SignupService.Step]>([])
        func record(_ step: SignupService.Step) { recorded.withLock { $0.append(step) } }
        func take() -> [SignupService.Step] { recorded.withLock { steps in defer { steps = [] }; return steps } }
    }

    @Test("new, pending, active, left, erased, bounced and complained addresses all read, render and write in one transaction")
    func everyPathTakesTheSameSteps() async throws {
        let fixture = try WebFixture()
        try SignupTrustTests.everyKind(fixture)
        let steps = Steps()
        let state = WebState(
            setup: try WebSetup(settings: fixture.settings, store: fixture.store), store: fixture.store, logger: WebFixture.quiet,
            signupProbe: { steps.record($0) })
        let app = Application(router: WebServer.router(state: state, metrics: .none), logger: WebFixture.quiet)
        let seen = try await app.test(.router) { client in
            var seen: [String: [SignupService.Step]] = [:]
            for email in SignupTrustTests.kinds {
                let response = try await SignupTrustTests.signUp(client, email)
                #expect(response.status == .ok)
                seen[email] = steps.take()
            }
            return seen
        }
        for email in SignupTrustTests.kinds {
            #expect(seen[email] == [.read, .rendered, .wrote], "\(email): \(seen[email] ?? [])")
        }
    }

    @Test("the CLI's staff rules: the same service refuses an address on the list and a suppressed one without --resubscribe")
    func staffRules() throws {
        let fixture = try WebFixture()
        try SignupTrustTests.everyKind(fixture)
        let service = SignupService(store: fixture.store, actor: "cli:test")
        let none: SignupService.Compose = { _, _ in nil }
        #expect(throws: SubscriberError.self) {
            try service.register(NewSubscriber(email: try EmailAddress("active@example.org")), wording: "w", source: .staff(resubscribe: false), compose: none)
        }
        do {
            _ = try service.register(NewSubscriber(email: try EmailAddress("erased@example.org")), wording: "w", source: .staff(resubscribe: false), compose: none)
            Issue.record("a suppressed address was added without --resubscribe")
        } catch let error as SubscriberError {
            #expect(error.code == .hasLeft)
        }
        let back = try service.register(
            NewSubscriber(email: try EmailAddress("erased@example.org")), wording: "w", source: .staff(resubscribe: true), compose: none)
        #expect(back.subscriber?.status == .active)
        #expect(try SignupTrustTests.suppression(fixture, "erased@example.org") == nil, "staff with consent lift it at once")
    }

    @Test("GET /subscribe reads the site's topics in full once per content scan, and again after the next scan")
    func topicsCachedPerScan() async throws {
        let fixture = try WebFixture()
        try fixture.addPages(topics: ["money"])
        @Sendable func scan(at date: Date) throws {
            try fixture.store.write { tx in
                try tx.saveContentScanState(ContentScanState(root: "site", baselineAt: date, lastScanAt: date, lastFullScanAt: date))
            }
        }
        try scan(at: Date(timeIntervalSince1970: 1_800_000_000))
        try await fixture.app().test(.router) { client in
            for _ in 1...3 {
                let page = try await client.execute(uri: "/subscribe", method: .get)
                #expect(page.text.contains("value=\"money\""))
            }
            #expect(fixture.state.siteTopicScans == 1)
            try fixture.addPages(topics: ["carers-rights"])
            try scan(at: Date(timeIntervalSince1970: 1_800_000_060))
            let page = try await client.execute(uri: "/subscribe", method: .get)
            #expect(page.text.contains("value=\"carers-rights\""))
            #expect(fixture.state.siteTopicScans == 2)
        }
    }

    @Test("mailbox identity: plus- and dot-variants, case and googlemail are one key; other domains stay apart")
    func mailboxIdentity() throws {
        func key(_ text: String) throws -> String { MailboxIdentity.key(try EmailAddress(text)) }
        #expect(try key("Ann.Smith+news@googlemail.com") == key("annsmith@gmail.com"))
        #expect(try key("ann+1@example.org") == key("ANN@example.org"))
        #expect(try key("ann@example.org") != key("ann@example.net"))
    }
}
