import Foundation
import NewsletterCompose
import NewsletterCore

/// The CSV reader and the subscriber import's checks.
enum CSVFuzz {
    static let source = "fuzz.csv"

    static func check(_ input: [UInt8]) -> [String] {
        var problems: [String] = []
        let data = Data(input)
        do {
            let records = try CSVReader.records(in: data, source: source)
            var previous = 0
            for record in records {
                if record.line < 1 || record.line < previous { problems.append("record line numbers go backwards: \(record.line) after \(previous)") }
                previous = record.line
                if record.fields.count == 1 && record.fields[0].isEmpty { problems.append("line \(record.line): an empty record was returned") }
            }
            // Written back fully quoted, the records read back the same.
            let written = records.map { $0.fields.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: ",") }
                .joined(separator: "\r\n")
            let again = try CSVReader.records(in: Data(written.utf8), source: source).map(\.fields)
            if again != records.map(\.fields) { problems.append("records do not read back the same once written: \(records.map(\.fields)) then \(again)") }
        } catch let error as NewsletterError {
            problems += failure(error)
        } catch {
            problems.append("unexpected error \(error)")
        }

        // The import's checks, on the file as it is and after a header.
        for file in [data, Data("email,name,digest,blog,topics\n".utf8) + data] {
            do {
                let checked = try SubscriberImport().check(file, source: source)
                for row in checked.rows { problems += subscriber(row.subscriber, line: row.line) }
                for problem in checked.problems { problems += Safe.message(problem.reason, "the reason for line \(problem.line)") }
            } catch let error as NewsletterError {
                problems += failure(error)
            } catch {
                problems.append("unexpected error \(error)")
            }
        }
        return problems
    }

    static func failure(_ error: NewsletterError) -> [String] {
        var problems = Safe.message(error.message, "the error")
        if error.exitStatus != .dataError { problems.append("exit status \(error.exitStatus) for a bad file: \(error.message)") }
        if !error.message.hasPrefix(source) { problems.append("the error does not name the file: \(error.message)") }
        return problems
    }

    /// What a checked row holds must be safe to store and to put in a To header.
    static func subscriber(_ subscriber: NewSubscriber, line: Int) -> [String] {
        var problems = AddressFuzz.safe(subscriber.email.value)
        if let name = subscriber.name {
            if Safe.hasControl(name) { problems.append("line \(line): name \(name.debugDescription) holds a control character") }
            if name != name.trimmingSpaces || name.isEmpty { problems.append("line \(line): name \(name.debugDescription) is not trimmed") }
            if (try? HeaderEncoding.phrase(name)) == nil { problems.append("line \(line): name \(name.debugDescription) cannot go in a header") }
        }
        for topic in subscriber.topics where topic.isEmpty || topic.count > Topic.maxLength || Topic.slug(topic) != topic {
            problems.append("line \(line): topic \(topic.debugDescription) is not a slug")
        }
        return problems
    }

    static func generate<G: RandomNumberGenerator>(using generator: inout G) -> [UInt8] {
        var columns = ["email", "name", "digest", "blog", "topics"].shuffled(using: &generator)
        if Int.random(in: 0..<4, using: &generator) == 0 { columns = Array(columns.prefix(Int.random(in: 1...5, using: &generator))) }
        if Int.random(in: 0..<10, using: &generator) == 0 { columns.append(HostileText.string(using: &generator, maxPieces: 2)) }
        func field(_ column: String) -> String {
            if Int.random(in: 0..<3, using: &generator) == 0 { return HostileText.string(using: &generator, maxPieces: 4) }
            switch column {
            case "email": return String(decoding: AddressFuzz.generate(using: &generator), as: UTF8.self)
            case "digest": return ["daily", "WEEKLY", "off", "fortnightly", ""].randomElement(using: &generator)!
            case "blog": return ["immediate", "digest", "off", "never"].randomElement(using: &generator)!
            case "topics": return (0..<Int.random(in: 0...3, using: &generator)).map { _ in HostileText.string(using: &generator, maxPieces: 2) }.joined(separator: ";")
            default: return HostileText.string(using: &generator, maxPieces: 3)
            }
        }
        func encode(_ value: String) -> String {
            switch Int.random(in: 0..<6, using: &generator) {
            case 0: return value
            case 1: return CSVWriter.line([value]).dropLast(2).description
            default: return value.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) ? "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : value
            }
        }
        let ends = ["\n", "\r\n", "\r"]
        let end = ends.randomElement(using: &generator)!
        var text = Bool.random(using: &generator) ? "\u{FEFF}" : ""
        text += columns.joined(separator: ",") + end
        for _ in 0..<Int.random(in: 0...6, using: &generator) {
            text += columns.map { encode(field($0)) }.joined(separator: ",") + (Int.random(in: 0..<8, using: &generator) == 0 ? ends.randomElement(using: &generator)! : end)
        }
        var bytes = Array(text.utf8)
        if Int.random(in: 0..<8, using: &generator) == 0, !bytes.isEmpty {
            bytes.insert(contentsOf: HostileText.bytes(using: &generator, maxPieces: 2), at: Int.random(in: 0...bytes.count, using: &generator))
        }
        return bytes
    }
}
