import Foundation
import NewsletterCore
import NewsletterTestSupport
import Testing

/// A config without `templates.dir` in a folder without templates: the installed default
/// templates are used if the binary has them beside it, else the built-in ones.
@Suite("Default templates with the real binaries")
struct DefaultTemplatesTests {
    let dir = TemporaryDirectory("minimal")
    let config: String

    init() throws {
        try dir.write("site/support/advocacy.md", "---\ntitle: Advocacy\n---\nAn advocate helps you be heard.\n\nThis information was last updated on 05/05/2022\n")
        config = try dir.write("newsletter.yaml", """
            database:
              path: data/newsletter.db
            site:
              name: Peak District Carers
              base_url: https://carers.example.org
              content_dir: site
            mail:
              from: "Peak District Carers <news@carers.example.org>"
              transport: maildir
              maildir: Maildir
            http:
              public_url: https://carers.example.org/newsletter

            """)
    }

    @Test("a minimal config in a new folder passes config check with the built-in templates, and digests render")
    func builtIn() async throws {
        var result = try await Binaries.run("newsletterctl", ["config", "check", "--config", config])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("ok       templates: built-in loads\n"), "\(result.stdout)")
        result = try await Binaries.run("newsletterctl", ["subscribers", "add", "ann@example.org", "--name", "Ann", "--config", config])
        #expect(result.status == 0, "\(result)")
        result = try await Binaries.run("newsletterd", ["--once", "--config", config])
        #expect(result.status == 0, "\(result)")
        result = try await Binaries.run("newsletterctl", ["content", "scan", "--announce-existing", "--config", config])
        #expect(result.status == 0, "\(result)")
        result = try await Binaries.run("newsletterctl", ["digest", "preview", "--to", "ann@example.org", "--config", config])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("Hello Ann,"))
        #expect(result.stdout.contains("Advocacy"))
    }

    @Test("an installed binary uses the templates installed beside it, and the built-in ones when there are none")
    func installed() async throws {
        let prefix = dir.path("prefix")
        try FileManager.default.createDirectory(atPath: prefix + "/bin", withIntermediateDirectories: true)
        let binary = prefix + "/bin/newsletterctl"
        // A hard link runs as prefix/bin/newsletterctl; a copy where links cannot cross devices.
        do {
            try FileManager.default.linkItem(atPath: Binaries.path("newsletterctl"), toPath: binary)
        } catch {
            try FileManager.default.copyItem(atPath: Binaries.path("newsletterctl"), toPath: binary)
        }
        let installed = prefix + "/share/carers-newsletter/templates"
        try FileManager.default.createDirectory(atPath: prefix + "/share/carers-newsletter", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: RepositoryPaths.templates, toPath: installed)

        func check() async throws -> CommandResult {
            let process = try RunningProcess(executable: binary, arguments: ["config", "check", "--config", config], environment: [:], currentDirectory: nil)
            return await process.wait()
        }
        var result = try await check()
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("ok       templates: \(installed) loads\n"), "\(result.stdout)")

        try FileManager.default.removeItem(atPath: installed)
        result = try await check()
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("ok       templates: built-in loads\n"), "\(result.stdout)")

        // A templates folder beside the config (as `make install` leaves in /etc) comes first.
        try FileManager.default.copyItem(atPath: RepositoryPaths.templates, toPath: dir.path("templates"))
        result = try await check()
        #expect(result.stdout.contains("ok       templates: \(dir.path("templates")) loads\n"), "\(result.stdout)")
    }
}
