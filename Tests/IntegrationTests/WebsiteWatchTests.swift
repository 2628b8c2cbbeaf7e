import Foundation
import NewsletterTestSupport
import Testing

/// The real binaries watching the demo site published as a CMS would publish it (heavy
/// navigation, cookie banner, sitemap index, RSS feed) and served by Debian's nginx: a
/// baseline, a staff edit and a new post, then a digest and a blog notification in the Maildir.
@Suite("Watching a CMS-style website served by nginx, end to end")
struct WebsiteWatchTests {
    static func render(_ source: String, _ output: String, base: String) async throws {
        let script = RepositoryPaths.root.appendingPathComponent("scripts/render_demo_site.py").path
        let result = try await Binaries.run("python3", [script, source, output, "--base-url", base])
        guard result.status == 0 else { throw TestSetupError("render_demo_site.py failed: \(result)") }
    }

    /// The demo site published as a CMS would (in `dir`/www, from a copy in `dir`/src),
    /// served by nginx, and a config watching it through `feed`; Maildir transport.
    static func publishedDemoSite(_ dir: TemporaryDirectory, feed: String, website: String) async throws -> (NginxServer, String) {
        try FileManager.default.copyItem(atPath: RepositoryPaths.root.appendingPathComponent("config/demo/site").path, toPath: dir.path("src"))
        try FileManager.default.createDirectory(atPath: dir.path("www"), withIntermediateDirectories: true)
        let nginx = try await NginxServer(serving: dir.path("www"), in: dir)
        let base = nginx.baseURL
        try await render(dir.path("src"), dir.path("www"), base: base)
        let config = try dir.write("newsletter.yaml", """
            database:
              path: data/newsletter.db
            site:
              name: Peak District Carers
              base_url: \(base)
              sitemap: \(base)/sitemap_index.xml
              feeds: [\(base)\(feed)]
            website:
            \(website)
            mail:
              from: "Peak District Carers <news@carers.example.org>"
              transport: maildir
              maildir: Maildir
            http:
              public_url: https://carers.example.org/newsletter
            templates:
              dir: \(RepositoryPaths.templates)
            blog:
              window: 0s

            """)
        return (nginx, config)
    }

    @Test("baseline, an edit and a new post on the website: one update, one post, and emails that carry them")
    func endToEnd() async throws {
        let dir = TemporaryDirectory("website-e2e")
        let (nginx, config) = try await Self.publishedDemoSite(dir, feed: "/blog/feed.xml", website: "  delay: 0s\n  per_host: 4")
        let base = nginx.baseURL
        func ctl(_ arguments: String...) async throws -> CommandResult {
            try await Binaries.run("newsletterctl", arguments + ["--config", config])
        }
        #expect(try await ctl("config", "check").stdout.contains("the website \(base)"))
        let imported = try await ctl("subscribers", "import", RepositoryPaths.root.appendingPathComponent("config/demo/subscribers.csv").path)
        #expect(imported.status == 0, "\(imported)")

        let baseline = try await ctl("content", "scan")
        #expect(baseline.status == 0, "\(baseline)")
        #expect(baseline.stdout.contains("Baseline recorded"), "\(baseline)")
        let listed = try await ctl("content", "list", "--format", "json")
        let pages = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]] ?? []
        let advocacy = try #require(pages.first { $0["url"] as? String == base + "/support/advocacy-services" })
        // The page's own date and title, never the navigation's news teasers or the footer.
        #expect(advocacy["last_updated"] as? String == "2022-05-05")
        #expect(advocacy["title"] as? String == "Advocacy services")

        // Staff edit the site in the CMS: the page's date moves, a post is published.
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "dd/MM/yyyy"
        let today = formatter.string(from: Date())
        formatter.dateFormat = "yyyy-MM-dd"
        let isoToday = formatter.string(from: Date())
        let page = dir.path("src/support/advocacy-services.txt")
        let text = try String(contentsOfFile: page, encoding: .utf8)
        try text.replacingOccurrences(of: "last updated on 05/05/2022", with: "last updated on \(today)").write(toFile: page, atomically: true, encoding: .utf8)
        _ = try dir.write("src/blog/respite-grants-open.md", """
            ---
            title: Respite grants are open again
            date: \(isoToday)
            description: Apply for a small grant towards a break before the end of January.
            ---
            Our small grants for a short break are open again. Apply before the end of January.
            """)
        try await Self.render(dir.path("src"), dir.path("www"), base: base)

        let explained = try await ctl("content", "scan", "--explain", base + "/support/advocacy-services")
        #expect(explained.status == 0, "\(explained)")
        #expect(explained.stdout.contains("This information was last updated on \(today)"), "\(explained.stdout)")
        #expect(explained.stdout.contains("Later than recorded"), "\(explained.stdout)")

        let once = try await Binaries.run("newsletterd", ["--once", "--config", config])
        #expect(once.status == 0, "\(once)")
        let events = try await ctl("content", "events", "--format", "json")
        let kinds = (try JSONSerialization.jsonObject(with: Data(events.stdout.utf8)) as? [[String: Any]] ?? [])
            .map { "\($0["kind"] as? String ?? "") \($0["url"] as? String ?? "")" }.sorted()
        #expect(kinds == ["page_updated \(base)/support/advocacy-services", "post_published \(base)/blog/respite-grants-open"])

        let delivered = (try? FileManager.default.contentsOfDirectory(atPath: dir.path("Maildir/new"))) ?? []
        let bodies = delivered.compactMap { try? String(contentsOfFile: dir.path("Maildir/new/\($0)"), encoding: .utf8) }
        #expect(bodies.contains { $0.contains("Advocacy services") && $0.contains("/support/advocacy-services") }, "\(delivered.count) messages")
        #expect(bodies.contains { $0.contains("Respite grants are open again") }, "\(delivered.count) messages")
        // robots.txt was asked for before the site was read.
        #expect(nginx.requests().contains { $0.path == "/robots.txt" })
    }

    @Test("newsletterd watches the website in the background: the baseline, then a new post found on SIGHUP and notified")
    func daemonWatches() async throws {
        let dir = TemporaryDirectory("website-daemon")
        let (nginx, config) = try await Self.publishedDemoSite(dir, feed: "/blog/atom.xml", website: "  delay: 0s")
        let base = nginx.baseURL
        let added = try await Binaries.run("newsletterctl", ["subscribers", "add", "reader@example.org", "--blog", "immediate", "--config", config])
        #expect(added.status == 0, "\(added)")
        let daemon = try Binaries.start("newsletterd", ["--config", config])
        func tracked() async -> Int {
            let listed = try? await Binaries.run("newsletterctl", ["content", "list", "--format", "json", "--config", config])
            return ((try? JSONSerialization.jsonObject(with: Data((listed?.stdout ?? "[]").utf8))) as? [Any])?.count ?? 0
        }
        let baseline = await waitUntil(timeout: 120) { await tracked() > 10 }
        #expect(baseline, "the first check records the site")
        if baseline {
            _ = try dir.write("src/blog/sitting-service.md", """
                ---
                title: A sitting service for Saturday mornings
                date: 2026-11-28
                ---
                A trained volunteer can sit with the person you care for on Saturday mornings.
                """)
            try await Self.render(dir.path("src"), dir.path("www"), base: base)
            // A reload asks for a check now rather than at the next interval.
            daemon.signal(SIGHUP)
            let notified = await waitUntil(timeout: 120) {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path("Maildir/new"))) ?? []
                return names.contains { name in
                    ((try? String(contentsOfFile: dir.path("Maildir/new/\(name)"), encoding: .utf8)) ?? "").contains("A sitting service for Saturday mornings")
                }
            }
            #expect(notified, "the blog notification for the post published on the website")
        }
        daemon.signal(SIGTERM)
        let stopped = await daemon.wait()
        #expect(stopped.status == 0, "\(stopped)")
    }
}
