import Foundation
import NewsletterTestSupport
import Testing

/// Every bad input: one line on stderr, the right sysexits status, and the database as it was.
@Suite("newsletterctl with bad input")
struct BadInputTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var arguments: [String]
        var status: Int32
        var message: String
        var withConfig = true
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "invalid address", arguments: ["subscribers", "add", "not-an-address"], status: 65,
             message: "invalid email address \"not-an-address\": it has no @"),
        Case(name: "SMTP injection in an address", arguments: ["subscribers", "add", "a@example.org\r\nRCPT TO:<b@example.org>"], status: 65,
             message: "invalid email address \"a@example.org\\r\\nRCPT TO:<b@example.org>\": it contains a line break"),
        Case(name: "header injection in a name", arguments: ["subscribers", "add", "x@example.org", "--name", "X\r\nBcc: all@example.org"],
             status: 65, message: "name \"X\\r\\nBcc: all@example.org\" contains a line break or control character"),
        Case(name: "a topic with no letters", arguments: ["subscribers", "add", "x@example.org", "--topic", "!!"], status: 65,
             message: "topic \"!!\" has no letters or digits"),
        Case(name: "already subscribed", arguments: ["subscribers", "add", "ann@example.org"], status: 65,
             message: "ann@example.org is already subscribed (status active); use 'newsletterctl subscribers update' to change their settings"),
        Case(name: "unknown subscriber", arguments: ["subscribers", "remove", "nobody@example.org"], status: 67,
             message: "no subscriber with address nobody@example.org; 'newsletterctl subscribers list' shows who is on the list"),
        Case(name: "missing import file", arguments: ["subscribers", "import", "/nonexistent/people.csv"], status: 66,
             message: "subscribers file /nonexistent/people.csv not found"),
        Case(name: "import of a folder", arguments: ["subscribers", "import", "/tmp"], status: 66,
             message: "/tmp is a folder; give the path of a CSV file"),
        Case(name: "unknown option", arguments: ["subscribers", "add", "x@example.org", "--frobnicate"], status: 64,
             message: "Unknown option '--frobnicate' (see 'newsletterctl --help')"),
        Case(name: "missing argument", arguments: ["subscribers", "add"], status: 64,
             message: "Missing expected argument '<email>' (see 'newsletterctl --help')"),
        Case(name: "bad option value", arguments: ["subscribers", "add", "x@example.org", "--digest", "fortnightly"], status: 64,
             message: "The value 'fortnightly' is invalid for '--digest <digest>'. Please provide one of 'daily', 'weekly', 'monthly' or 'off'. (see 'newsletterctl --help')"),
        Case(name: "unknown command", arguments: ["subscribers", "frob"], status: 64,
             message: "Unexpected argument 'frob' (see 'newsletterctl --help')", withConfig: false),
        Case(name: "update with nothing to change", arguments: ["subscribers", "update", "ann@example.org"], status: 64,
             message: "nothing to change; give --name, --first-name, --digest, --blog, --topic, --all-topics, --pending or --active (see 'newsletterctl --help')"),
        Case(name: "erase without --yes, not at a terminal", arguments: ["subscribers", "erase", "ann@example.org"], status: 64,
             message: "erase cannot be undone: add --yes to confirm when not running at a terminal"),
    ]

    @Test("one line, the right status, nothing changed", arguments: cases)
    func badInput(_ testCase: Case) async throws {
        let fixture = try CLIFixture()
        try await fixture.ctl("subscribers", "add", "ann@example.org")
        let before = try await fixture.ctl("subscribers", "export").stdout
        let result = testCase.withConfig
            ? try await fixture.ctl(arguments: testCase.arguments) : try await Binaries.run("newsletterctl", testCase.arguments)
        #expect(result.status == testCase.status, "\(result)")
        #expect(result.stderrLines == ["newsletterctl: \(testCase.message)"])
        #expect(result.stdout.isEmpty)
        #expect(try await fixture.ctl("subscribers", "export").stdout == before)
    }

    @Test("malformed CSV: one line naming the line, nothing imported")
    func malformedCSV() async throws {
        let fixture = try CLIFixture()
        let file = try fixture.dir.write("broken.csv", "email,name\nann@example.org,Ann\n\"bob@example.org,Bob\n")
        let result = try await fixture.ctl("subscribers", "import", file)
        #expect(result.status == 65)
        #expect(result.stderrLines == ["newsletterctl: \(file), line 3: a quoted field is never closed; add the missing quote (\")"])
        #expect(try await fixture.emails() == [])
    }

    @Test("CSV that is not UTF-8, or has an unknown column")
    func otherBadFiles() async throws {
        let fixture = try CLIFixture()
        let latin1 = try fixture.dir.write("latin1.csv", Data("email,name\nz@example.org,Zo".utf8) + Data([0xEB, 0x0A]))
        var result = try await fixture.ctl("subscribers", "import", latin1)
        #expect(result.status == 65)
        #expect(result.stderrLines == ["newsletterctl: \(latin1), line 2: the text is not UTF-8; save the file as \"CSV UTF-8\" and try again"])
        let typo = try fixture.dir.write("typo.csv", "emial,name\nz@example.org,Z\n")
        result = try await fixture.ctl("subscribers", "import", typo)
        #expect(result.status == 65)
        #expect(result.stderrLines == ["newsletterctl: \(typo), line 1: unknown column \"emial\"; the columns are email,name,digest,blog,topics"])
        #expect(try await fixture.emails() == [])
    }

    struct ConfigCase: CustomTestStringConvertible, Sendable {
        var name: String
        var yaml: String?
        var message: String
        var testDescription: String { name }
    }

    static let configCases: [ConfigCase] = [
        ConfigCase(name: "missing file", yaml: nil, message: "config CONFIG not found; check the --config path"),
        ConfigCase(name: "malformed YAML", yaml: "database:\n  path: [unclosed\n",
                   message: "config CONFIG, line 3: not valid YAML: did not find expected ',' or ']' while parsing a flow sequence"),
        ConfigCase(name: "unknown key", yaml: "database:\n  path: x.db\n  timeout: 5s\n",
                   message: "config CONFIG, line 3: unknown key database.timeout (did you mean database.busy_timeout?)"),
        ConfigCase(name: "wrong type", yaml: "database:\n  path: {a: b}\n",
                   message: "config CONFIG, line 2: database.path: expected a string, found a mapping"),
        ConfigCase(name: "not a mapping", yaml: "just some words\n",
                   message: "config CONFIG, line 1: the file: expected a mapping of keys to values, found \"just some words\""),
    ]

    @Test("config errors: one line naming file, line and key; exit 78", arguments: configCases)
    func configErrors(_ testCase: ConfigCase) async throws {
        let dir = TemporaryDirectory()
        let path = dir.path("newsletter.yaml")
        if let yaml = testCase.yaml { try dir.write("newsletter.yaml", yaml) }
        let result = try await Binaries.run("newsletterctl", ["subscribers", "list", "--config", path])
        #expect(result.status == 78, "\(result)")
        #expect(result.stderrLines == ["newsletterctl: " + testCase.message.replacingOccurrences(of: "CONFIG", with: path)])
        let daemon = try await Binaries.run("newsletterd", ["--once", "--config", path])
        #expect(daemon.status == 78)
        #expect(daemon.stderrLines == ["newsletterd: " + testCase.message.replacingOccurrences(of: "CONFIG", with: path)])
    }

    @Test("a database folder that cannot be created: exit 73, one line")
    func unwritableDatabaseFolder() async throws {
        let dir = TemporaryDirectory()
        let config = try dir.write("newsletter.yaml", "database:\n  path: /proc/carers-newsletter/newsletter.db\n")
        let result = try await Binaries.run("newsletterctl", ["subscribers", "add", "a@example.org", "--config", config])
        #expect(result.status == 73)
        #expect(result.stderrLines.count == 1)
        #expect(result.stderr.hasPrefix("newsletterctl: cannot create the database folder /proc/carers-newsletter: "))
    }

    @Test("a database file that is not SQLite: exit 65, one line")
    func notADatabase() async throws {
        let dir = TemporaryDirectory()
        let db = try dir.write("data/newsletter.db", String(repeating: "not a database\n", count: 200))
        let config = try dir.write("newsletter.yaml", "database:\n  path: data/newsletter.db\n")
        let result = try await Binaries.run("newsletterctl", ["subscribers", "list", "--config", config])
        #expect(result.status == 65)
        #expect(result.stderrLines == ["newsletterctl: \(db) is not a SQLite database; check database.path in the config"])
    }
}
