import Foundation
import NewsletterCore
import NewsletterTestSupport
import Testing

@testable import CommandSupport

/// Fixes the hostile-input corpus led to, checked where they live (the corpus itself runs
/// the binaries: IntegrationTests/HostileCorpusTests).
@Suite("Hostile input regressions")
struct CommandLineRegressionTests {
    @Test("a table cell cannot send escape sequences to the terminal")
    func tableCells() {
        var table = TextTable(headers: ["PATH", "TITLE"])
        table.append(["\u{1B}[2J.md", "a\nb"])
        #expect(!table.render().contains("\u{1B}"))
        #expect(table.render().split(separator: "\n").count == 2)
    }

    @Test("messages stay one line whatever they quote")
    func oneLine() {
        #expect("config /tmp/a\nb not found".escapingControlCharacters == "config /tmp/a\\nb not found")
        #expect("x\u{2028}y\u{1B}".escapingControlCharacters == "x\\u{2028}y\\u{1b}")
        #expect("plain é text".escapingControlCharacters == "plain é text")
    }

    @Test("consent wording: one line of at most 1,000 characters")
    func consentWording() throws {
        #expect(try ConsentWording.validated("  I agree to updates  ") == "I agree to updates")
        for bad in ["", "  ", "a\r\nb", "a\u{1B}[2J", "a\u{2029}b", String(repeating: "w", count: 1001)] {
            #expect(throws: NewsletterError.self) { try ConsentWording.validated(bad) }
        }
    }

    @Test("topics and names with line breaks or control characters are refused")
    func topicsAndNames() {
        for bad in ["a\u{1B}[31m", "a\nb", "a\u{2028}b", "a\u{85}b"] {
            #expect(throws: NewsletterError.self) { try Topic.slugs([bad]) }
            #expect(throws: NewsletterError.self) { try SubscriberName.validated(bad) }
        }
    }

    @Test("an address with a C1 control says so")
    func c1Address() {
        #expect(EmailAddress.problem(with: "a\u{9B}31m@example.org") == "it contains a control character")
    }

    @Test("config: keys are quoted when they are not plain words; paths, URLs and tags are checked")
    func config() {
        func failure(_ yaml: String) -> String? {
            do {
                _ = try Settings.parse(yaml: yaml, file: "/etc/n.yaml")
                return nil
            } catch let error as NewsletterError {
                return error.message
            } catch {
                return "\(error)"
            }
        }
        #expect(failure("\"a\\nb\": 1\n")?.contains("unknown key \"a\\nb\"") == true)
        #expect(failure("database:\n  pth: x\n")?.contains("unknown key database.pth (did you mean database.path?)") == true)
        #expect(failure("database:\n  path: \"a\\0b\"\n")?.contains("without control characters") == true)
        #expect(failure("http:\n  public_url: https://x.org/\(String(repeating: "a", count: 600))\n")?.contains("at most 500 characters") == true)
        #expect(failure("http:\n  public_url: \"https://x.org/a b\"\n")?.contains("without spaces or line breaks") == true)
        #expect(failure("site:\n  name: !evil x\n")?.contains("found a value tagged \"!evil\"") == true)
        #expect(failure("site:\n  name: \(String(repeating: "x", count: 201))\n")?.contains("at most 200 characters") == true)
        #expect(failure("site:\n  name: a\u{1B}b\n").map { !$0.contains("\n") && !$0.contains("\u{1B}") } == true)
    }

    @Test("a config file is read up to a megabyte, whatever it is")
    func configSize() throws {
        let dir = TemporaryDirectory()
        let big = try dir.write("big.yaml", "# " + String(repeating: "x", count: 1 << 20) + "\n")
        for path in [big, "/dev/zero"] {
            #expect(throws: NewsletterError.self) { try ConfigLocation(flag: path).read() }
        }
    }

    @Test("an import from a device is refused; from a pipe it is read")
    func importSources() throws {
        #expect(throws: NewsletterError.self) { try SubscriberImport.load(path: "/dev/zero") }
        let dir = TemporaryDirectory()
        let fifo = dir.path("people.csv")
        #expect(mkfifo(fifo, 0o600) == 0)
        let writer = Thread {
            if let handle = FileHandle(forWritingAtPath: fifo) {
                handle.write(Data("email\nann@example.org\n".utf8))
                try? handle.close()
            }
        }
        writer.start()
        #expect(try SubscriberImport.load(path: fifo) == Data("email\nann@example.org\n".utf8))
    }
}
