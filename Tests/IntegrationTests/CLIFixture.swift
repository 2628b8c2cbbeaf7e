import Foundation
import NewsletterCore
import NewsletterTestSupport

/// A temporary folder with a config file pointing at a database inside it, and helpers to
/// run the real binaries against it.
final class CLIFixture: @unchecked Sendable {
    let dir = TemporaryDirectory("cli")
    let config: String

    /// `mail` adds a sender, public address and the shipped templates, which composing needs;
    /// `site` adds lines to the `site:` section.
    init(site: [String] = [], extraConfig: String = "", mail: Bool = true) throws {
        var yaml = "database:\n  path: data/newsletter.db\n  busy_timeout: 20s\n"
        let siteLines = (mail ? ["name: Peak District Carers"] : []) + site
        if !siteLines.isEmpty { yaml += "site:\n" + siteLines.map { "  \($0)\n" }.joined() }
        if mail {
            yaml += """
                mail:
                  from: "Peak District Carers <news@carers.example.org>"
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
    func ctl(_ arguments: String..., stdin: String? = nil) throws -> CommandResult {
        try Binaries.run("newsletterctl", arguments + ["--config", config], stdin: stdin)
    }

    func ctl(arguments: [String]) throws -> CommandResult {
        try Binaries.run("newsletterctl", arguments + ["--config", config])
    }

    /// The subscriber list as newsletterctl's JSON.
    func subscribers() throws -> [[String: Any]] {
        let result = try ctl("subscribers", "list", "--format", "json")
        guard result.status == 0 else { throw TestSetupError("list failed: \(result)") }
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] ?? []
    }

    func emails() throws -> [String] {
        try subscribers().compactMap { $0["email"] as? String }
    }
}
