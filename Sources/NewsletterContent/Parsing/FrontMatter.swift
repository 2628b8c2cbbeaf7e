import Foundation
import NewsletterCore
import Yams

/// YAML front matter at the top of a Markdown file, between `---` lines (closed by `---` or
/// `...`), as Hugo and Jekyll write it.
struct FrontMatter {
    /// The keys of the mapping, with scalar values as text and lists as lists of text.
    var fields: [String: Value] = [:]

    enum Value: Equatable {
        case text(String)
        case list([String])

        var text: String? {
            if case .text(let text) = self { return text }
            return nil
        }

        /// A list, or a single text taken as a comma-separated list.
        var items: [String] {
            switch self {
            case .list(let items): return items
            case .text(let text): return text.split(separator: ",").map { String($0) }
            }
        }
    }

    /// Splits `text` into front matter and body. Broken YAML gives empty fields and a warning;
    /// the body is still the text after the closing line.
    static func split(_ text: [UInt8]) -> (FrontMatter?, body: ArraySlice<UInt8>, warning: String?) {
        guard let first = lineEnd(text, from: 0), isDelimiter(text[0..<first.content], "---") else { return (nil, text[...], nil) }
        var start = first.next
        while start < text.count {
            guard let line = lineEnd(text, from: start) else { break }
            if isDelimiter(text[start..<line.content], "---") || isDelimiter(text[start..<line.content], "...") {
                let yaml = String(decoding: text[first.next..<start], as: UTF8.self)
                let body = text[line.next...]
                do {
                    return (try parse(yaml), body, nil)
                } catch let error as FrontMatterError {
                    return (nil, body, "broken front matter: \(error.reason); its fields are ignored")
                } catch {
                    return (nil, body, "broken front matter: \(error); its fields are ignored")
                }
            }
            start = line.next
        }
        return (nil, text[...], "front matter starts with --- but is never closed; it is read as text")
    }

    struct FrontMatterError: Error {
        var reason: String
    }

    private static func parse(_ yaml: String) throws -> FrontMatter {
        let node: Node?
        do {
            node = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw FrontMatterError(reason: describe(error))
        }
        var matter = FrontMatter()
        guard let node else { return matter }
        guard case .mapping(let mapping) = node else {
            if case .scalar(let scalar) = node, scalar.string.isEmpty { return matter }
            throw FrontMatterError(reason: "it is not a list of keys and values")
        }
        for (key, value) in mapping {
            guard case .scalar(let keyScalar) = key else { continue }
            switch value {
            case .scalar(let scalar):
                let isNull = scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
                if !isNull { matter.fields[keyScalar.string.lowercased()] = .text(scalar.string) }
            case .sequence(let sequence):
                matter.fields[keyScalar.string.lowercased()] = .list(sequence.compactMap { item in
                    if case .scalar(let scalar) = item { return scalar.string }
                    return nil
                })
            default:
                continue
            }
        }
        return matter
    }

    private static func describe(_ error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let words = [problem, context?.text].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
            // Line numbers count from the file's first line, the opening ---.
            return "\(words) at line \(mark.line + 1)"
        case .duplicatedKeysInMapping(let duplicates, let context):
            return "key \(duplicates.map(ConfigSection.shown).joined(separator: ", ")) appears twice at line \(context.mark.line + 1)"
        case .reader(let problem, _, let value, _):
            // Its description spans lines and repeats the offending line.
            return problem + (value > 0 ? String(format: " (U+%04X)", value) : "")
        default:
            return "\(error)".split(whereSeparator: \.isNewline).first.map(String.init)?.escapingControlCharacters ?? "unreadable"
        }
    }

    /// Where the line starting at `start` ends: the end of its content and the start of the next.
    private static func lineEnd(_ text: [UInt8], from start: Int) -> (content: Int, next: Int)? {
        guard start < text.count else { return nil }
        var index = start
        while index < text.count, text[index] != 0x0A { index += 1 }
        let next = min(index + 1, text.count)
        let content = index > start && text[index - 1] == 0x0D ? index - 1 : index
        return (content, next)
    }

    private static func isDelimiter(_ line: ArraySlice<UInt8>, _ marker: String) -> Bool {
        var trimmed = line
        while let last = trimmed.last, last == 0x20 || last == 0x09 { trimmed.removeLast() }
        return trimmed.elementsEqual(marker.utf8)
    }
}
