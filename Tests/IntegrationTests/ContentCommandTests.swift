import Foundation
import NewsletterTestSupport
import Testing

/// `newsletterctl content ...`, run as a user would.
@Suite("newsletterctl content")
struct ContentCommandTests {
    func fixture(contentDir: String = "site") throws -> CLIFixture {
        try CLIFixture(site: ["base_url: https://carers.example.org", "content_dir: \(contentDir)"])
    }

    func json(_ result: CommandResult) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
    }

    @Test("scan records a baseline, then events; list and events show them as stable JSON")
    func scanListEvents() async throws {
        let cli = try fixture()
        try cli.dir.write("site/support/advocacy.txt", "Advocacy services\n\nAn advocate helps you be heard.\n\nThis information was last updated on 05/05/2022\n")
        try cli.dir.write("site/blog/old.md", "---\ntitle: Old post\ndate: 2024-01-02\n---\nOld news.\n")
        try cli.dir.write("site/bad.md", Data([0x00, 0x01]))

        let first = try await cli.ctl("content", "scan")
        #expect(first.status == 0, "\(first)")
        #expect(first.stdout.hasPrefix("Baseline recorded: 2 pages and 1 blog post tracked."))
        #expect(first.stderrLines == ["newsletterctl: warning: bad.md: binary file with a page's extension (it holds NUL bytes); skipped"])

        let list = try #require(try json(await cli.ctl("content", "list", "--format", "json")) as? [[String: Any]])
        let advocacy = try #require(list.first { $0["path"] as? String == "support/advocacy.txt" })
        #expect(advocacy["title"] as? String == "Advocacy services")
        #expect(advocacy["url"] as? String == "https://carers.example.org/support/advocacy")
        #expect(advocacy["topics"] as? [String] == ["support"])
        #expect(advocacy["last_updated"] as? String == "2022-05-05")
        #expect(advocacy["status"] as? String == "current")
        #expect(Set(advocacy.keys) == ["path", "kind", "title", "summary", "url", "topics", "last_updated", "published_on", "status", "problem"])
        #expect(list.first { $0["path"] as? String == "bad.md" }?["status"] as? String == "skipped")
        #expect(list.first { $0["path"] as? String == "blog/old.md" }?["last_updated"] is NSNull)

        try cli.dir.write("site/support/advocacy.txt", "Advocacy services\n\nAn advocate helps you be heard.\n\nThis information was last updated on 01/07/2024\n")
        try cli.dir.write("site/blog/new.md", "---\ntitle: New post\ndate: 2024-07-01\n---\nNews.\n")
        let dry = try await cli.ctl("content", "scan", "--dry-run", "--format", "json")
        let dryReport = try #require(try json(dry) as? [String: Any])
        #expect(dryReport["dry_run"] as? Bool == true)
        #expect((dryReport["events"] as? [Any])?.count == 2)

        let second = try await cli.ctl("content", "scan")
        #expect(second.status == 0)
        #expect(second.stdout.contains("page_updated    2024-07-01  support/advocacy.txt"), "\(second)")
        #expect(second.stdout.contains("post_published  2024-07-01  blog/new.md"))
        #expect(second.stdout.contains("Recorded 2 events."))

        let events = try #require(try json(await cli.ctl("content", "events", "--format", "json")) as? [[String: Any]])
        #expect(events.map { $0["path"] as? String } == ["blog/new.md", "support/advocacy.txt"] || events.map { $0["path"] as? String } == ["support/advocacy.txt", "blog/new.md"])
        let update = try #require(events.first { $0["kind"] as? String == "page_updated" })
        #expect(update["marker"] as? String == "2024-07-01")
        #expect(update["summary"] as? String == "An advocate helps you be heard.")
        #expect(Set(update.keys) == ["id", "kind", "path", "title", "summary", "url", "topics", "marker", "detected_at"])
        #expect(try await cli.ctl("content", "scan").stdout.hasPrefix("No events."))

        let future = try await cli.ctl("content", "events", "--since", "2199-01-01")
        #expect(future.stdout == "0 events\n")
        let table = try await cli.ctl("content", "events", "--since", "2000-01-01")
        #expect(table.stdout.hasSuffix("2 events\n"))
    }

    @Test("a missing content folder is a config error for scan only")
    func missingFolder() async throws {
        let cli = try fixture(contentDir: "nowhere")
        let scan = try await cli.ctl("content", "scan")
        #expect(scan.status == 78)
        #expect(scan.stderrLines.count == 1)
        #expect(scan.stderr.contains("site.content_dir \(cli.dir.path("nowhere")) cannot be used: No such file or directory"))
        #expect(try await cli.ctl("subscribers", "list").status == 0)
        #expect(try await cli.ctl("content", "list").status == 0)
    }

    @Test("content.* keys are checked like every other key")
    func badConfig() async throws {
        let cli = try CLIFixture(extraConfig: "content:\n  max_file_size: huge\n")
        let result = try await cli.ctl("content", "list")
        #expect(result.status == 78)
        #expect(result.stderr.contains("content.max_file_size: expected a size such as 5MB, 512KB or 1GB, found \"huge\""))
        #expect(try await cli.ctl("content", "events", "--since", "someday").status == 78)
        let good = try fixture()
        let since = try await good.ctl("content", "events", "--since", "someday")
        #expect(since.status == 64)
        #expect(since.stderrLines == ["newsletterctl: --since \"someday\" is not a date; give one such as 2024-03-12 or 2024-03-12T09:30:00Z"])
    }
}
