import Foundation
import NewsletterCore
import NewsletterStore
import NewsletterTestSupport

/// A temporary folder with a config file pointing at a database inside it, and helpers to
/// run the real binaries against it.
final class CLIFixture: @unchecked Sendable {
    let dir = TemporaryDirectory("cli")
    let config: String

    /// `mail` adds a sender (`mailFrom`, if not nil), a public address and the shipped
    /// templates, which composing needs; `site` adds lines to the `site:` section;
    /// `withContent` makes a small content folder, so newsletterd can run.
    init(site: [String] = [], mail: Bool = true, mailFrom: String? = "Peak District Carers <news@carers.example.org>",
         withContent: Bool = false, extraConfig: String = "") throws {
        // The suites run side by side with ones that fsync hard (synchronous=FULL): on a
        // shared disk a commit can then wait seconds, so a short timeout fails by chance.
        var yaml = "database:\n  path: data/newsletter.db\n  busy_timeout: 2m\n"
        var siteLines = (mail ? ["name: Peak District Carers"] : []) + site
        if withContent {
            try dir.write("site/support/advocacy.md", "---\ntitle: Advocacy\n---\nThis information was last updated on 05/05/2022\n")
            siteLines += ["base_url: https://carers.example.org", "content_dir: site"]
        }
        if !siteLines.isEmpty { yaml += "site:\n" + siteLines.map { "  \($0)\n" }.joined() }
        if mail {
            if let mailFrom { yaml += "mail:\n  from: \"\(mailFrom)\"\n" }
            yaml += """
                http:
                  public_url: https://carers.example.org/newsletter
                templates:
                  dir: \(RepositoryPaths.templates)

                """
        }
        config = try dir.write("newsletter.yaml", yaml + extraConfig)
    }

    /// The fixture's database, opened in this process (for setting up and checking state).
    func store() throws -> Store {
        try Store.open(DatabaseSettings(path: dir.path("data/newsletter.db")))
    }

    /// Runs newsletterctl with this fixture's config.
    @discardableResult
    func ctl(_ arguments: String..., stdin: String? = nil) async throws -> CommandResult {
        try await Binaries.run("newsletterctl", arguments + ["--config", config], stdin: stdin)
    }

    func ctl(arguments: [String]) async throws -> CommandResult {
        try await Binaries.run("newsletterctl", arguments + ["--config", config])
    }

    /// The subscriber list as newsletterctl's JSON.
    func subscribers() async throws -> [[String: Any]] {
        let result = try await ctl("subscribers", "list", "--format", "json")
        guard result.status == 0 else { throw TestSetupError("list failed: \(result)") }
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] ?? []
    }

    func emails() async throws -> [String] {
        try await subscribers().compactMap { $0["email"] as? String }
    }
}
