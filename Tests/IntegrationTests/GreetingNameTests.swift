import Foundation
import NewsletterCore
import NewsletterTestSupport
import Testing

/// "Sharma, Priya" (as spreadsheets and CRMs export names) is greeted "Hello Priya,": from a
/// first-name column or `--first-name` when given, else from the part after the comma.
@Suite("Greeting names with the real binaries")
struct GreetingNameTests {
    let fixture: CLIFixture

    init() throws {
        fixture = try CLIFixture()
    }

    /// A page update after the subscribers joined, so each has a digest to preview.
    func recordEvent() throws {
        try fixture.store().write { tx in
            try tx.recordEvent(
                NewContentEvent(
                    kind: .pageUpdated, path: "advocacy/services.md", title: "Advocacy services", summary: "How an advocate can help.",
                    url: "https://carers.example.org/advocacy/services", topics: ["advocacy"], marker: "2022-05-05"),
                detectedAt: Date())
        }
    }

    func ctl(_ arguments: String...) async throws -> CommandResult {
        try await Binaries.run("newsletterctl", arguments + ["--config", fixture.config])
    }

    func greeting(_ email: String) async throws -> String {
        let result = try await ctl("digest", "preview", "--to", email)
        #expect(result.status == 0, "\(result)")
        return result.stdout.split(separator: "\n").first { $0.hasPrefix("Hello") }.map(String.init) ?? "(no greeting in \(result.stdout))"
    }

    @Test("an import's first-name column is kept and greets; without one, \"Last, First\" is greeted by the first name")
    func importFirstNames() async throws {
        let file = try fixture.dir.write("people.csv", """
            email,name,First_Name
            priya@example.org,"Sharma, Priya",Priya
            raj@example.org,"Patel, Raj",
            jo@example.org,Jo Bloggs,
            ann@example.org,"Smith, Ann, Dr",
            sam@example.org,"Sam Jones, Jr.",

            """)
        var result = try await ctl("subscribers", "import", file)
        #expect(result.status == 0, "\(result)")
        try recordEvent()
        #expect(try await greeting("priya@example.org") == "Hello Priya,")
        #expect(try await greeting("raj@example.org") == "Hello Raj,")
        #expect(try await greeting("jo@example.org") == "Hello Jo Bloggs,")
        // Two commas: no telling which part is the given name, so the neutral greeting.
        #expect(try await greeting("ann@example.org") == "Hello,")
        #expect(try await greeting("sam@example.org") == "Hello Sam Jones, Jr.,")

        // The To: line keeps the name as stored.
        result = try await ctl("digest", "preview", "--to", "priya@example.org", "--format", "eml")
        #expect(result.stdout.contains("To: \"Sharma, Priya\" <priya@example.org>"), "\(result.stdout)")

        // Export writes the first name last, and imports back.
        result = try await ctl("subscribers", "export")
        #expect(result.stdout.hasPrefix("email,name,digest,blog,topics,status,created_at,updated_at,first_name\r\n"))
        #expect(result.stdout.contains("priya@example.org,\"Sharma, Priya\",weekly,digest,,active,"))
        let other = try CLIFixture()
        let exported = try other.dir.write("export.csv", result.stdout)
        result = try await Binaries.run("newsletterctl", ["subscribers", "import", exported, "--config", other.config])
        #expect(result.status == 0, "\(result)")
        result = try await Binaries.run("newsletterctl", ["subscribers", "show", "priya@example.org", "--format", "json", "--config", other.config])
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(json?["first_name"] as? String == "Priya")
    }

    @Test("without a first name, a name stored \"Last, First\" is greeted by the first name, and the To: line keeps it whole")
    func commaName() async throws {
        var result = try await ctl("subscribers", "add", "raj@example.org", "--name", "Patel, Raj")
        #expect(result.status == 0, "\(result)")
        try recordEvent()
        #expect(try await greeting("raj@example.org") == "Hello Raj,")
        result = try await ctl("digest", "preview", "--to", "raj@example.org", "--format", "html")
        #expect(result.stdout.contains("Hello Raj,"))
        #expect(!result.stdout.contains("Patel"))
        result = try await ctl("digest", "preview", "--to", "raj@example.org", "--format", "eml")
        #expect(result.stdout.contains("To: \"Patel, Raj\" <raj@example.org>"), "\(result.stdout)")
    }

    @Test("given_name is a first-name column too; two first-name columns are refused")
    func otherHeaders() async throws {
        var file = try fixture.dir.write("given.csv", "EMAIL,Name,Given_Name\nlee@example.org,\"Chen, Li\",Lee\n")
        var result = try await ctl("subscribers", "import", file)
        #expect(result.status == 0, "\(result)")
        try recordEvent()
        #expect(try await greeting("lee@example.org") == "Hello Lee,")
        file = try fixture.dir.write("both.csv", "email,first_name,firstname\nx@example.org,X,Y\n")
        result = try await ctl("subscribers", "import", file)
        #expect(result.status == 65, "\(result)")
        #expect(result.stderr.contains("are both a first name"))
    }

    @Test("subscribers add and update take --first-name; show says how they are greeted")
    func cliOption() async throws {
        var result = try await ctl("subscribers", "add", "priya@example.org", "--name", "Sharma, Priya", "--first-name", "Pri")
        #expect(result.status == 0, "\(result)")
        try recordEvent()
        #expect(try await greeting("priya@example.org") == "Hello Pri,")
        result = try await ctl("subscribers", "update", "priya@example.org", "--first-name", "Priya")
        #expect(result.status == 0, "\(result)")
        #expect(try await greeting("priya@example.org") == "Hello Priya,")
        result = try await ctl("subscribers", "show", "priya@example.org")
        #expect(result.stdout.contains("First name:  Priya\n"))
        #expect(result.stdout.contains("Greeting:    Hello Priya,\n"))
        result = try await ctl("subscribers", "update", "priya@example.org", "--first-name", "Bad\u{7}Name")
        #expect(result.status == 65, "\(result)")
        #expect(result.stderr.contains("first name"))
    }
}
