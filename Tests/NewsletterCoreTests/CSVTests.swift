import Foundation
import NewsletterTestSupport
import Testing

@testable import NewsletterCore

@Suite("CSV reading and writing")
struct CSVTests {
    func parse(_ text: String) throws -> [CSVRecord] {
        try CSVReader.records(in: Data(text.utf8), source: "test.csv")
    }

    @Test("plain rows with LF, CRLF and CR line ends")
    func lineEnds() throws {
        for newline in ["\n", "\r\n", "\r"] {
            let records = try parse(["email,name", "a@x.org,Ann", "b@x.org,Bob"].joined(separator: newline) + newline)
            #expect(records.map(\.fields) == [["email", "name"], ["a@x.org", "Ann"], ["b@x.org", "Bob"]])
            #expect(records.map(\.line) == [1, 2, 3])
        }
    }

    @Test("a UTF-8 byte order mark is skipped")
    func byteOrderMark() throws {
        let data = Data([0xEF, 0xBB, 0xBF]) + Data("email\na@x.org\n".utf8)
        let records = try CSVReader.records(in: data, source: "bom.csv")
        #expect(records.first?.fields == ["email"])
    }

    @Test("quoted fields hold commas, doubled quotes and line breaks; line numbers follow the file")
    func quoting() throws {
        let records = try parse("email,name\r\n\"a@x.org\",\"Smith, Ann \"\"Annie\"\"\"\r\nb@x.org,\"two\r\nlines\"\r\nc@x.org,Cy\r\n")
        #expect(records[1].fields == ["a@x.org", "Smith, Ann \"Annie\""])
        #expect(records[2].fields == ["b@x.org", "two\r\nlines"])
        #expect(records[2].line == 3)
        #expect(records[3].line == 5)
    }

    @Test("non-ASCII names survive")
    func unicode() throws {
        let records = try parse("email,name\nz@x.org,Zoë Ó Briain-Łukasz 王\n")
        #expect(records[1].fields[1] == "Zoë Ó Briain-Łukasz 王")
    }

    @Test("blank lines are skipped, empty fields kept, a missing final newline is fine")
    func blanks() throws {
        let records = try parse("email,name\n\na@x.org,\n\n,\nb@x.org,B")
        #expect(records.map(\.fields) == [["email", "name"], ["a@x.org", ""], ["", ""], ["b@x.org", "B"]])
        #expect(records.map(\.line) == [1, 3, 5, 6])
    }

    @Test("broken quoting names the line")
    func brokenQuoting() {
        #expect(throws: NewsletterError.badData("test.csv, line 2: a quoted field is never closed; add the missing quote (\")")) {
            try parse("email\n\"a@x.org\nb@x.org\n")
        }
        #expect(throws: NewsletterError.badData("test.csv, line 3: text after a closing quote; put the whole field in quotes and double any quote inside it")) {
            try parse("email\na@x.org\n\"b@x.org\"x\n")
        }
        #expect(throws: NewsletterError.self) { try parse("email,name\na@x.org,Ann \"The\" Carer\n") }
    }

    @Test("bytes that are not UTF-8 name the line")
    func invalidUTF8() {
        let data = Data("email,name\na@x.org,Zo".utf8) + Data([0xEB]) + Data("\n".utf8)
        #expect(throws: NewsletterError.badData("latin1.csv, line 2: the text is not UTF-8; save the file as \"CSV UTF-8\" and try again")) {
            try CSVReader.records(in: data, source: "latin1.csv")
        }
    }

    @Test("writer quotes only where needed and round-trips through the reader")
    func roundTrip() throws {
        let rows = [["email", "name"], ["a@x.org", "Smith, Ann"], ["b@x.org", "say \"hi\""], ["c@x.org", "two\nlines"], ["d@x.org", "plain"]]
        let text = rows.map(CSVWriter.line).joined()
        #expect(text.hasPrefix("email,name\r\na@x.org,\"Smith, Ann\"\r\n"))
        #expect(try parse(text).map(\.fields) == rows)
    }

    @Test("fields that a spreadsheet would run as formulas are guarded, and the guard comes off on import")
    func formulaGuard() throws {
        let line = CSVWriter.line(["=HYPERLINK(\"http://evil\")", "+1", "@SUM(A1)", "-2", "ok"])
        #expect(line.hasPrefix("\"'=HYPERLINK"))
        let fields = try parse(line)[0].fields.map(CSVWriter.unguard)
        #expect(fields == ["=HYPERLINK(\"http://evil\")", "+1", "@SUM(A1)", "-2", "ok"])
        #expect(CSVWriter.unguard("'plain") == "'plain")
    }

    @Test("random field contents round-trip")
    func randomRoundTrip() throws {
        var generator = SeededGenerator(seed: 42)
        let alphabet = Array("ab, \"\r\n;é'=")
        for _ in 0..<500 {
            let row = (0..<3).map { _ in String((0..<Int.random(in: 1...8, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }) }
            let parsed = try parse(CSVWriter.line(["h1", "h2", "h3"]) + CSVWriter.line(row))
            #expect(parsed.count == 2)
            #expect(parsed.last?.fields.map(CSVWriter.unguard) == row)
        }
    }
}
