import Foundation
import NewsletterTestSupport
import Testing

@testable import NewsletterCompose
@testable import NewsletterCore

@Suite("Blog notifications")
struct BlogComposerTests {
    let f: ComposeFixture
    var blog: BlogComposer { BlogComposer(store: f.store, environment: f.environment) }

    init() throws {
        f = try ComposeFixture(blogWindow: 600)
    }

    @Test("posts wait for the window, then go in one email to immediate subscribers on their topics")
    func window() async throws {
        let t0 = f.monday
        try f.subscriber("all@example.org", blog: .immediate, at: t0 - 86400)
        try f.subscriber("money@example.org", blog: .immediate, topics: ["money"], at: t0 - 86400)
        try f.subscriber("digest@example.org", blog: .digest, at: t0 - 86400)
        try f.event("blog/one.md", title: "First post", kind: .postPublished, topics: ["respite"], at: t0)
        #expect(try blog.run(at: t0 + 60) == .waiting(until: t0 + 600))
        try f.event("blog/two.md", title: "Second post", kind: .postPublished, topics: ["money"], at: t0 + 300)
        #expect(try blog.run(at: t0 + 601) == .queued(posts: 2, messages: 2))
        let mail = try f.rendered()
        let all = try #require(try await PythonEmail.parse(mail["all@example.org"]!).parts.first).content
        #expect(all.contains("First post") && all.contains("Second post"))
        let money = try #require(try await PythonEmail.parse(mail["money@example.org"]!).parts.first).content
        #expect(money.contains("Second post") && !money.contains("First post"))
        #expect(mail["digest@example.org"] == nil)
        #expect(try await PythonEmail.parse(mail["all@example.org"]!).header("Subject") == "2 new posts on the Peak District Carers blog")
        // Nothing is sent twice.
        #expect(try blog.run(at: t0 + 2000) == .nothingNew)
        #expect(try f.queued().count == 2)
    }

    @Test("1,201 immediate subscribers: each gets one notification, queued in batches of a thousand")
    func manySubscribers() throws {
        let t0 = f.monday
        for n in 0..<1201 { try f.subscriber("carer\(n)@example.org", blog: .immediate, at: t0 - 86400) }
        try f.event("blog/one.md", title: "First post", kind: .postPublished, at: t0)
        #expect(try blog.run(at: t0 + 601) == .queued(posts: 1, messages: 1201))
        let queued = try f.queued()
        #expect(queued.count == 1201)
        #expect(Set(queued.map(\.envelopeTo)).count == 1201)
        #expect(Set(queued.compactMap(\.subscriberID)).count == 1201)
    }

    @Test("someone who joins after a post was found does not get it")
    func joinedLater() throws {
        try f.event("blog/one.md", title: "First post", kind: .postPublished, at: f.monday)
        try f.subscriber("late@example.org", blog: .immediate, at: f.monday + 60)
        #expect(try blog.run(at: f.monday + 700) == .queued(posts: 1, messages: 0))
    }
}

@Suite("Confirmation and welcome emails")
struct SignupMessageTests {
    let f: ComposeFixture

    init() throws {
        f = try ComposeFixture()
    }

    @Test("a pending subscriber gets a confirmation link and no unsubscribe headers")
    func confirmation() async throws {
        let signup = SignupMessages(environment: f.environment)
        let pending = try SubscriberDirectory(store: f.store, actor: "web").add(
            NewSubscriber(email: EmailAddress("new@example.org"), name: "Zoë", status: .pending), wording: "web form"
        ) { added, tx in
            let queued = try signup.queueConfirmation(for: added, in: tx, at: f.monday)
            #expect(queued != nil)
        }
        let message = try #require(try f.queued().first)
        #expect(message.kind == .confirm)
        let data = try CompleteMessageRenderer().render(message)
        let parsed = try await PythonEmail.parse(data)
        #expect(parsed.defects.isEmpty, "\(parsed.defects)")
        #expect(parsed.header("List-Unsubscribe") == nil)
        // The name is the visitor's own text: it stays out of the confirmation email.
        #expect(parsed.header("To") == "new@example.org")
        let token = f.environment.tokens.token(for: pending, purpose: .confirm)
        #expect(parsed.parts[0].content.contains("https://carers.example.org/newsletter/confirm/\(token)"))
        #expect(parsed.parts[1].content.contains("https://carers.example.org/newsletter/confirm/\(token)"))
    }

    @Test("an active subscriber gets a welcome with one-click unsubscribe; both can be switched off")
    func welcome() async throws {
        let signup = SignupMessages(environment: f.environment)
        let ann = try f.subscriber("ann@example.org", topics: ["money", "young-carers"], at: f.monday)
        let welcome = try f.store.write { tx in try signup.queueWelcome(for: ann, in: tx, at: f.monday) }
        #expect(welcome != nil)
        let parsed = try await PythonEmail.parse(try CompleteMessageRenderer().render(try f.queued()[0]))
        #expect(parsed.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click")
        #expect(parsed.parts[0].content.contains("You asked to hear about: Money, Young carers."))

        let quiet = try ComposeFixture(signup: SignupSettings(confirmation: false, welcome: false))
        let bob = try quiet.subscriber("bob@example.org", at: quiet.monday)
        let none = try quiet.store.write { tx in try SignupMessages(environment: quiet.environment).queueWelcome(for: bob, in: tx, at: quiet.monday) }
        #expect(none == nil)
    }
}

@Suite("Templates")
struct TemplateSetTests {
    func folder(_ edit: (TemporaryDirectory) throws -> Void) throws -> TemporaryDirectory {
        let dir = TemporaryDirectory("templates")
        for name in try FileManager.default.subpathsOfDirectory(atPath: RepositoryPaths.templates) {
            let source = RepositoryPaths.templates + "/" + name
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: source, isDirectory: &isFolder), !isFolder.boolValue { try dir.write(name, try Data(contentsOf: URL(fileURLWithPath: source))) }
        }
        try edit(dir)
        return dir
    }

    @Test("the shipped templates load")
    func shipped() throws {
        _ = try TemplateSet.load(folder: RepositoryPaths.templates)
    }

    @Test("a syntax error names the file and line; exit 78")
    func syntaxError() throws {
        let dir = try folder { try $0.write("digest.html", "<p>one</p>\n<p>two</p>\n{{#has_pages}}\n<p>never closed</p>\n") }
        #expect(throws: NewsletterError.config(
            "template \(dir.path("digest.html")), line 3: section \"has_pages\" is opened but never closed (add {{/has_pages}})")) {
            try TemplateSet.load(folder: dir.path)
        }
    }

    @Test("a missing template, a missing folder and an unknown partial are named")
    func missing() throws {
        let dir = try folder { try FileManager.default.removeItem(atPath: $0.path("blog.txt")) }
        #expect(throws: NewsletterError.self) { try TemplateSet.load(folder: dir.path) }
        do {
            _ = try TemplateSet.load(folder: dir.path)
        } catch let error as NewsletterError {
            #expect(error.exitStatus == .config)
            #expect(error.message.hasPrefix("template \(dir.path("blog.txt")) is missing"))
        }
        #expect(throws: NewsletterError.self) { try TemplateSet.load(folder: "/nonexistent/templates") }
        let traversal = try folder { try $0.write("welcome.html", "{{> ../../../etc/passwd}}\n") }
        #expect(throws: NewsletterError.config(
            "template \(traversal.path("welcome.html")), line 1: unknown partial \"../../../etc/passwd\"; the partials are header, footer")) {
            try TemplateSet.load(folder: traversal.path)
        }
    }
}
