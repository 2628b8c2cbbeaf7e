import Foundation
import NewsletterTestSupport
import Testing

@Suite("newsletterctl subscribers")
struct SubscriberCommandTests {
    let fixture: CLIFixture

    init() throws {
        fixture = try CLIFixture()
    }

    @Test("a subscriber's whole life: add, update, remove, resubscribe, erase")
    func lifecycle() async throws {
        var result = try await fixture.ctl(
            "subscribers", "add", "Ann@Example.org", "--name", "Ann Carer", "--digest", "monthly", "--blog", "immediate",
            "--topic", "Mental Health", "--topic", "money")
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == "Added Ann@Example.org (active, monthly digest, blog posts by email as they appear, topics: mental-health, money).\n")

        let listed = try await fixture.subscribers()
        #expect(listed.count == 1)
        #expect(listed[0]["email"] as? String == "Ann@Example.org")
        #expect(listed[0]["name"] as? String == "Ann Carer")
        #expect(listed[0]["status"] as? String == "active")
        #expect(listed[0]["digest"] as? String == "monthly")
        #expect(listed[0]["blog"] as? String == "immediate")
        #expect(listed[0]["topics"] as? [String] == ["mental-health", "money"])

        result = try await fixture.ctl("subscribers", "update", "ann@example.org", "--digest", "weekly", "--all-topics")
        #expect(result.status == 0, "\(result)")
        result = try await fixture.ctl("subscribers", "show", "ANN@example.org", "--format", "json")
        let shown = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(shown?["digest"] as? String == "weekly")
        #expect(shown?["topics"] as? [String] == [])
        let consent = shown?["consent"] as? [[String: Any]] ?? []
        #expect(consent.map { $0["action"] as? String } == ["subscribed", "preferences"])
        #expect((consent.first?["actor"] as? String)?.hasPrefix("cli:") == true)

        result = try await fixture.ctl("subscribers", "remove", "ann@example.org")
        #expect(result.status == 0)
        result = try await fixture.ctl("subscribers", "remove", "ann@example.org")
        #expect(result.status == 0)
        #expect(result.stdout.contains("already unsubscribed"))

        result = try await fixture.ctl("subscribers", "add", "ann@example.org")
        #expect(result.status == 65)
        #expect(result.stderr == "newsletterctl: Ann@Example.org is already subscribed (status unsubscribed); add --resubscribe only if they have asked to join again\n")

        result = try await fixture.ctl("subscribers", "add", "ann@example.org", "--resubscribe", "--consent", "Phoned to rejoin")
        #expect(result.status == 0, "\(result)")

        result = try await fixture.ctl("subscribers", "erase", "ann@example.org", "--yes")
        #expect(result.status == 0, "\(result)")
        #expect(try await fixture.emails() == [])
        result = try await fixture.ctl("subscribers", "show", "ann@example.org")
        #expect(result.status == 67)
        result = try await fixture.ctl("subscribers", "add", "ann@example.org")
        #expect(result.status == 65)
        #expect(result.stderr.contains("suppression list (erased"))
    }

    @Test("list formats: a table for people, CSV and JSON for scripts, with filters")
    func listFormats() async throws {
        try await fixture.ctl("subscribers", "add", "ann@example.org", "--name", "Smith, Ann", "--topic", "carers")
        try await fixture.ctl("subscribers", "add", "bob@example.org", "--pending")
        var result = try await fixture.ctl("subscribers", "list")
        #expect(result.stdout.hasPrefix("EMAIL"))
        #expect(result.stdout.hasSuffix("2 subscribers\n"))
        result = try await fixture.ctl("subscribers", "list", "--format", "csv", "--status", "active")
        #expect(result.stdout.components(separatedBy: "\r\n") == [
            "email,name,digest,blog,topics,status,created_at,updated_at,first_name",
            result.stdout.components(separatedBy: "\r\n")[1], "",
        ])
        #expect(result.stdout.contains("ann@example.org,\"Smith, Ann\",weekly,digest,carers,active,"))
        result = try await fixture.ctl("subscribers", "list", "--format", "json", "--topic", "money")
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]]
        #expect(json?.compactMap { $0["email"] as? String } == ["bob@example.org"], "no topics means every topic")
        result = try await fixture.ctl("subscribers", "list", "--format", "json", "--status", "pending")
        #expect((try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])?.first?["email"] as? String == "bob@example.org")
    }

    @Test("import reads spreadsheet CSV, is idempotent, and its export imports back")
    func importExport() async throws {
        let csv = Data([0xEF, 0xBB, 0xBF]) + Data(
            "email,name,digest,blog,topics\r\nann@example.org,\"Ó Briain, Ann\",daily,off,carers;money\r\nbob@example.org,Bob,,,\r\n".utf8)
        let file = try fixture.dir.write("people.csv", csv)

        var result = try await fixture.ctl("subscribers", "import", file, "--dry-run")
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.hasPrefix("Dry run, nothing changed: would import"))
        #expect(try await fixture.emails() == [])

        result = try await fixture.ctl("subscribers", "import", file)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == "Imported \(file): 2 rows; 2 new.\n")
        result = try await fixture.ctl("subscribers", "import", file)
        #expect(result.stdout == "Imported \(file): 2 rows; 0 new, 2 already on the list.\n")

        let exported = try await fixture.ctl("subscribers", "export")
        #expect(exported.status == 0)
        let other = try CLIFixture()
        let exportFile = try other.dir.write("export.csv", exported.stdout)
        result = try await other.ctl("subscribers", "import", exportFile)
        #expect(result.status == 0, "\(result)")
        let original = try await fixture.subscribers().map { [$0["email"], $0["name"], $0["digest"], $0["blog"], $0["topics"]].map { "\($0 ?? "")" } }
        let copy = try await other.subscribers().map { [$0["email"], $0["name"], $0["digest"], $0["blog"], $0["topics"]].map { "\($0 ?? "")" } }
        #expect(original == copy)

        let json = try await fixture.ctl("subscribers", "export", "--format", "json")
        #expect((try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [Any])?.count == 2)
    }

    @Test("an import with bad rows lists each with its line and imports nothing; --skip-invalid imports the rest")
    func importBadRows() async throws {
        let file = try fixture.dir.write("people.csv", "email,name\nann@example.org,Ann\nnot-an-address,Bob\ncy@example.org,Cy\n\"d@example.org\r\nBcc: x\",Dee\n")
        var result = try await fixture.ctl("subscribers", "import", file)
        #expect(result.status == 65)
        #expect(result.stderrLines == [
            "newsletterctl: \(file), line 3: invalid email address \"not-an-address\": it has no @",
            "newsletterctl: \(file), line 5: invalid email address \"d@example.org\\r\\nBcc: x\": it contains a line break",
            "newsletterctl: \(file): 2 of 4 rows are invalid; nothing was imported (fix them, or add --skip-invalid to import the rest)",
        ])
        #expect(try await fixture.emails() == [])

        result = try await fixture.ctl("subscribers", "import", file, "--skip-invalid")
        #expect(result.status == 0)
        #expect(result.stdout == "Imported \(file): 4 rows; 2 new, 2 invalid, skipped.\n")
        #expect(try await fixture.emails() == ["ann@example.org", "cy@example.org"])
    }

    @Test("stats counts what is there")
    func stats() async throws {
        try await fixture.ctl("subscribers", "add", "a@example.org", "--digest", "daily")
        try await fixture.ctl("subscribers", "add", "b@example.org")
        try await fixture.ctl("subscribers", "remove", "b@example.org")
        let result = try await fixture.ctl("subscribers", "stats", "--format", "json")
        let stats = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(stats?["total"] as? Int == 2)
        #expect((stats?["by_status"] as? [String: Int])?["unsubscribed"] == 1)
        #expect((stats?["active_by_digest"] as? [String: Int])?["daily"] == 1)
        #expect((stats?["suppressed"] as? [String: Int])?["unsubscribed"] == 1)
        #expect(try await fixture.ctl("subscribers", "stats").stdout.hasPrefix("Subscribers: 2\n"))
    }
}
