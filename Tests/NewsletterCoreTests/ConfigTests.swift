import Foundation
import NewsletterTestSupport
import Testing

@testable import NewsletterCore

@Suite("Config loading")
struct ConfigTests {
    let dir = TemporaryDirectory("config")

    func load(_ yaml: String) throws -> Settings {
        let path = try dir.write("newsletter.yaml", yaml)
        return try Settings.load(from: ConfigLocation(flag: path))
    }

    func failure(_ yaml: String) -> NewsletterError? {
        do {
            _ = try load(yaml)
            return nil
        } catch let error as NewsletterError {
            return error
        } catch {
            return NewsletterError.internalError("\(error)")
        }
    }

    @Test("an empty file gives the defaults")
    func defaults() throws {
        let settings = try load("")
        #expect(settings.database.path == DatabaseSettings.defaultPath)
        #expect(settings.database.busyTimeout == 10)
    }

    @Test("relative paths are taken from the config file's folder")
    func relativePaths() throws {
        let settings = try load("database:\n  path: data/../db/news.db\n  busy_timeout: 2m\n")
        #expect(settings.database.path == dir.path("db/news.db"))
        #expect(settings.database.busyTimeout == 120)
    }

    @Test("an unknown key is named, with its line and a suggestion")
    func unknownKey() {
        let error = failure("# comment\ndatabase:\n  path: x.db\n  pth: y\n")
        #expect(error?.exitStatus == .config)
        #expect(error?.message == "config \(dir.path("newsletter.yaml")), line 4: unknown key database.pth (did you mean database.path?)")
    }

    @Test("an unknown section is named")
    func unknownSection() {
        #expect(failure("databse:\n  path: x\n")?.message.contains("unknown key databse (did you mean database?)") == true)
    }

    @Test("a wrong type names the key and what was expected")
    func wrongType() {
        #expect(failure("database:\n  path: [a, b]\n")?.message
            == "config \(dir.path("newsletter.yaml")), line 2: database.path: expected a string, found a list")
        #expect(failure("database:\n  busy_timeout: never\n")?.message.hasSuffix(
            "database.busy_timeout: expected a duration such as 30s, 15m, 2h or 3d, found \"never\"") == true)
        #expect(failure("database:\n  busy_timeout: 0\n")?.message.hasSuffix(
            "database.busy_timeout: expected a duration from 0.1s to 1h, found \"0\"") == true)
        #expect(failure("database: yes\n")?.message.hasSuffix("database: expected a mapping of keys to values, found \"yes\"") == true)
        #expect(failure("- a\n- b\n")?.message.hasSuffix("the file: expected a mapping of keys to values, found a list") == true)
    }

    @Test("malformed YAML gives the line")
    func malformed() {
        let error = failure("database:\n  path: \"unterminated\n")
        #expect(error?.exitStatus == .config)
        #expect(error?.message.hasPrefix("config \(dir.path("newsletter.yaml")), line") == true)
        #expect(error?.message.contains("not valid YAML") == true)
        #expect(failure("database:\n  path: a\n  path: b\n")?.message.contains("appears twice") == true)
    }

    @Test("messages are one line")
    func oneLine() {
        for yaml in ["database:\n  path: [a,\n", "a: b\n", "database:\n  busy_timeout: \"1\\n2\"\n", "\t- x"] {
            let message = failure(yaml)?.message ?? ""
            #expect(!message.isEmpty)
            #expect(!message.contains("\n"), "\(message)")
        }
    }

    @Test("--config wins over NEWSLETTER_CONFIG, which wins over /etc")
    func location() {
        #expect(ConfigLocation(flag: "/a.yaml", environment: ["NEWSLETTER_CONFIG": "/b.yaml"]).path == "/a.yaml")
        #expect(ConfigLocation(flag: nil, environment: ["NEWSLETTER_CONFIG": "/b.yaml"]) == ConfigLocation(flag: "/b.yaml").with(.environment))
        #expect(ConfigLocation(flag: nil, environment: [:]).path == "/etc/carers-newsletter/newsletter.yaml")
    }

    @Test("a missing file or a folder is a config error")
    func missingFile() {
        #expect(throws: NewsletterError.config("config /nonexistent/newsletter.yaml not found; check the --config path")) {
            try Settings.load(from: ConfigLocation(flag: "/nonexistent/newsletter.yaml"))
        }
        #expect(throws: NewsletterError.config("config \(dir.path) is a folder; give the path of the YAML file")) {
            try Settings.load(from: ConfigLocation(flag: dir.path))
        }
    }

    @Test("site, mail and http settings")
    func siteMailHTTP() throws {
        let settings = try load("""
            site:
              name: Derbyshire Carers
              base_url: https://carers.example.org/
              content_dir: site
              blog_dir: news/blog
              date_order: MDY
              postal_address: 1 High Street, Matlock DE4 3AG
            mail:
              from: "Derbyshire Carers <news@carers.example.org>"
              reply_to: help@carers.example.org
              transport: maildir
              maildir: out/Maildir
            http:
              public_url: https://carers.example.org/newsletter
            """)
        #expect(settings.site.name == "Derbyshire Carers")
        #expect(settings.site.baseURL?.absoluteString == "https://carers.example.org")
        #expect(settings.site.contentDir == dir.path("site"))
        #expect(settings.site.blogDir == "news/blog")
        #expect(settings.site.dateOrder == .mdy)
        #expect(settings.mail.from == Mailbox(displayName: "Derbyshire Carers", address: try EmailAddress("news@carers.example.org")))
        #expect(settings.mail.replyTo?.displayName == nil)
        #expect(settings.mail.transport == .maildir)
        #expect(settings.mail.maildir == dir.path("out/Maildir"))
        #expect(settings.http.publicURL?.absoluteString == "https://carers.example.org/newsletter")
        #expect(try load("").mail.transport == .smtp)
    }

    @Test("bad site, mail and http values are named")
    func badSiteMailHTTP() {
        #expect(failure("site:\n  base_url: carers.example.org\n")?.message.hasSuffix(
            "site.base_url: expected an http or https address such as https://carers.example.org, found \"carers.example.org\"") == true)
        #expect(failure("site:\n  blog_dir: ../elsewhere\n")?.message.hasSuffix(
            "site.blog_dir: expected a folder inside content_dir, found \"../elsewhere\"") == true)
        #expect(failure("site:\n  date_order: dym\n")?.message.hasSuffix("site.date_order: expected one of dmy, mdy, ymd, found \"dym\"") == true)
        #expect(failure("mail:\n  from: news at example\n")?.message.hasSuffix(
            "mail.from: invalid email address \"news at example\": it contains a space") == true)
        #expect(failure("mail:\n  from: \"News\\r\\nBcc: x@y.org <n@example.org>\"\n")?.message.contains("line break") == true)
        #expect(failure("mail:\n  transport: maildir\n")?.message.hasSuffix("mail.maildir: must be set when mail.transport is maildir") == true)
        #expect(failure("http:\n  public_url: ftp://x.org\n")?.message.contains("http.public_url: expected an http or https address") == true)
    }

    @Test("mailboxes parse with or without a display name")
    func mailboxes() throws {
        #expect(try Mailbox(parsing: "news@example.org") == Mailbox(displayName: nil, address: try EmailAddress("news@example.org")))
        #expect(try Mailbox(parsing: " \"Carers, Derbyshire\" <news@example.org> ").displayName == "Carers, Derbyshire")
        #expect(try Mailbox(parsing: "Zoë's Carers <news@example.org>").description == "Zoë's Carers <news@example.org>")
        #expect(throws: NewsletterError.self) { try Mailbox(parsing: "News <a@b.org>\r\nBcc: c@d.org") }
        #expect(throws: NewsletterError.self) { try Mailbox(parsing: "News <not an address>") }
    }

    @Test("durations", arguments: [("90", 90.0), ("90s", 90), ("15m", 900), ("2h", 7200), ("3d", 259_200), ("1w", 604_800), ("250ms", 0.25), ("1.5h", 5400)])
    func durations(_ text: String, _ seconds: Double) {
        #expect(ConfigDuration.parse(text) == seconds)
    }

    @Test("bad durations", arguments: ["", "m", "-5s", "5 minutes", "1e3s", "nan", "inf", "5x"])
    func badDurations(_ text: String) {
        #expect(ConfigDuration.parse(text) == nil)
    }
}

extension ConfigLocation {
    func with(_ source: Source) -> ConfigLocation {
        var copy = self
        copy.source = source
        return copy
    }
}
