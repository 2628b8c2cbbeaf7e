import Foundation
import Mustache
import NewsletterCore

/// The Mustache templates every message is rendered from, loaded and checked once.
///
/// A folder holds, per kind of message, `KIND.subject` (one line), `KIND.txt` and
/// `KIND.html`, plus shared partials `partials/header.*` and `partials/footer.*`. Text
/// templates see the `.txt` partials and are not HTML-escaped; HTML templates see the
/// `.html` partials. Every problem (a missing file, a syntax error, an unknown partial) is
/// found here, at load, and named with its file and line: rendering itself cannot fail.
public struct TemplateSet: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case digest, blog, confirm, welcome
    }

    /// Where the templates came from: a folder, or "built-in".
    public let source: TemplateSource
    private let textLibrary: MustacheLibrary
    private let htmlLibrary: MustacheLibrary

    static let partialNames = ["header", "footer"]

    /// The folder's templates (tests, tools).
    public static func load(folder: String) throws -> TemplateSet {
        try load(source: .folder(folder))
    }

    /// The templates the config asks for (see `TemplateSource.resolve`).
    public static func load(_ settings: TemplateSettings) throws -> TemplateSet {
        try load(source: TemplateSource.resolve(settings))
    }

    public static func load(source: TemplateSource) throws -> TemplateSet {
        guard source.exists else {
            throw NewsletterError.config(
                "templates folder \(source) not found; set templates.dir in the config to a copy of config/templates, or remove it to use the default templates")
        }
        var text = MustacheLibrary()
        var html = MustacheLibrary()
        for partial in partialNames {
            text.register(try parse(source, "partials/\(partial).txt", plain: true), named: partial)
            html.register(try parse(source, "partials/\(partial).html", plain: false), named: partial)
        }
        for kind in Kind.allCases {
            text.register(try parse(source, "\(kind.rawValue).subject", plain: true), named: "\(kind.rawValue).subject")
            text.register(try parse(source, "\(kind.rawValue).txt", plain: true), named: kind.rawValue)
            html.register(try parse(source, "\(kind.rawValue).html", plain: false), named: kind.rawValue)
        }
        return TemplateSet(source: source, textLibrary: text, htmlLibrary: html)
    }

    public func subject(_ kind: Kind, _ context: [String: Any]) -> String {
        // A subject is one line whatever the template does; the header serializer checks again.
        textLibrary.render(context, withTemplate: "\(kind.rawValue).subject")?
            .split(whereSeparator: \.isNewline).map { $0.trimmingSpaces }.filter { !$0.isEmpty }.joined(separator: " ") ?? ""
    }

    public func text(_ kind: Kind, _ context: [String: Any]) -> String {
        textLibrary.render(context, withTemplate: kind.rawValue) ?? ""
    }

    public func html(_ kind: Kind, _ context: [String: Any]) -> String {
        htmlLibrary.render(context, withTemplate: kind.rawValue) ?? ""
    }

    /// Reads and parses one template, naming the file and line of any problem; `partials`
    /// are the partial names it may use.
    static func parse(_ source: TemplateSource, _ name: String, plain: Bool, partials: [String] = partialNames) throws -> MustacheTemplate {
        let path = source.name(name)
        guard let data = source.contents(name) else {
            throw NewsletterError.config(
                "template \(path) is missing or unreadable; every templates folder needs it (the defaults are in config/templates)")
        }
        guard let source = String(data: data, encoding: .utf8) else {
            throw NewsletterError.config("template \(path) is not UTF-8 text")
        }
        for partial in referencedPartials(source) where !partials.contains(partial) {
            throw NewsletterError.config(
                "template \(path), line \(line(of: "{{>", in: source) ?? 1): unknown partial \(partial.quotedForDisplay); "
                    + "the partials are \(partials.joined(separator: ", "))")
        }
        do {
            // The pragma shares the first line with the template's own text, so line numbers
            // in errors stay the template's.
            return try MustacheTemplate(string: (plain ? "{{% CONTENT_TYPE: TEXT }}" : "") + source)
        } catch let error as MustacheTemplate.ParserError {
            // The parser notices an unclosed section at the end of the file; name where it opened.
            if case .expectedSectionEnd = error.error as? MustacheTemplate.Error, let open = unclosedSection(in: source) {
                throw NewsletterError.config(
                    "template \(path), line \(open.line): section \(open.name.quotedForDisplay) is opened but never closed (add {{/\(open.name)}})")
            }
            throw NewsletterError.config("template \(path), line \(error.context.lineNumber): \(describe(error.error))")
        } catch {
            throw NewsletterError.config("template \(path): \(error)")
        }
    }

    /// Names in `{{> name}}` tags.
    static func referencedPartials(_ source: String) -> [String] {
        var names: [String] = []
        var rest = source[...]
        while let open = rest.range(of: "{{>") {
            rest = rest[open.upperBound...]
            guard let close = rest.range(of: "}}") else { break }
            names.append(String(rest[..<close.lowerBound]).trimmingSpaces)
            rest = rest[close.upperBound...]
        }
        return names
    }

    /// The innermost section tag (`{{#name}}` or `{{^name}}`) left open at the end of `source`.
    static func unclosedSection(in source: String) -> (name: String, line: Int)? {
        var open: [(name: String, line: Int)] = []
        var line = 1
        var rest = source[...]
        while let tag = rest.range(of: "{{") {
            line += rest[..<tag.lowerBound].filter(\.isNewline).count
            rest = rest[tag.upperBound...]
            guard let close = rest.range(of: "}}") else { break }
            let body = rest[..<close.lowerBound]
            let name = body.dropFirst().trimmingSpaces
            switch body.first {
            case "#", "^": open.append((name, line))
            case "/": if let index = open.lastIndex(where: { $0.name == name }) { open.removeSubrange(index...) }
            default: break
            }
            line += body.filter(\.isNewline).count
            rest = rest[close.upperBound...]
        }
        return open.last
    }

    private static func line(of needle: String, in source: String) -> Int? {
        guard let range = source.range(of: needle) else { return nil }
        return source[..<range.lowerBound].filter(\.isNewline).count + 1
    }

    private static func describe(_ error: any Error) -> String {
        guard let error = error as? MustacheTemplate.Error else { return "\(error)" }
        switch error {
        case .sectionCloseNameIncorrect: return "a section is closed with a different name than it was opened with"
        case .unfinishedName: return "a tag is not closed with }}"
        case .expectedSectionEnd: return "a section is opened but never closed ({{/name}} is missing)"
        case .invalidSetDelimiter: return "a set-delimiter tag is malformed"
        case .invalidConfigVariableSyntax, .unrecognisedConfigVariable: return "a {{% ... }} pragma is not understood"
        default: return "\(error)"
        }
    }
}
