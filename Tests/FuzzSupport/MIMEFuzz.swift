import Foundation
import NewsletterCompose
import NewsletterContent
import NewsletterCore

/// Messages built by the real composers (digest, blog notification, confirmation, welcome)
/// from fuzzed settings, subscribers and pages, checked by ``MessageStructure`` and, when
/// python3 is there, by Python's `email` package.
///
/// Pages reach the composer as the scanner would make them (through the page parser and the
/// site's naming), and then every message must be built. In raw mode the fields skip the
/// parser; the serializer may then refuse (a one-line error), but never write a broken message.
enum MIMEFuzz {
    static let templates: TemplateSet? = {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("config/templates").path
        return try? TemplateSet.load(folder: folder)
    }()

    /// Monday 16 November 2026, 08:00 UTC.
    static let now = Date(timeIntervalSince1970: 1_794_816_000)

    struct Input {
        var kind: MessageKind
        var raw: Bool
        var cadence: DigestCadence
        var environment: ComposeEnvironment
        var subscriber: Subscriber
        var events: [ContentEvent]
    }

    static func check(_ bytes: [UInt8]) -> [String] {
        guard let templates else { return ["the shipped templates do not load"] }
        let input = read(bytes, templates: templates)
        let rendered: RenderedMessage?
        let message: Data
        do {
            switch input.kind {
            case .digest:
                let r = try DigestComposer.render(input.events, for: input.subscriber, cadence: input.cadence, at: now, environment: input.environment)
                (rendered, message) = (r, r.message)
            case .blog:
                let r = try BlogComposer.render(input.events, for: input.subscriber, at: now, environment: input.environment)
                (rendered, message) = (r, r.message)
            default:
                let queued = try SignupMessages(environment: input.environment)
                    .message(input.kind, for: input.subscriber, at: now, links: input.kind == .confirm ? [.confirm] : [.unsubscribe, .preferences],
                             listMail: input.kind != .confirm)
                guard case .complete(let data) = queued.content else { return ["a \(input.kind) message is not complete"] }
                (rendered, message) = (nil, data)
            }
        } catch let error as NewsletterError {
            if input.raw { return Safe.message(error.message, "the refusal") }
            return ["a \(input.kind) message from scanned pages could not be built: \(error.message)"]
        } catch {
            return ["unexpected error \(error)"]
        }
        return properties(message, input: input, rendered: rendered)
    }

    static func properties(_ message: Data, input: Input, rendered: RenderedMessage?) -> [String] {
        var problems: [String] = []
        let listMail = input.kind != .confirm
        var expected = ["date", "from", "to", "subject", "message-id", "mime-version", "content-type"]
        if input.environment.replyTo != nil { expected.append("reply-to") }
        if listMail { expected += ["list-id", "list-unsubscribe", "list-unsubscribe-post"] }

        let structure = MessageStructure(message)
        problems += structure.problems
        let names = structure.headers.map { $0.name.lowercased() }
        let extra = Set(names).subtracting(expected).subtracting(["content-transfer-encoding"])
        let missing = Set(expected).subtracting(names)
        if !extra.isEmpty { problems.append("unexpected headers \(extra.sorted())") }
        if !missing.isEmpty { problems.append("missing headers \(missing.sorted())") }
        // A tab is folding white space; no other control character may reach a header.
        for field in structure.headers where field.value.unicodeScalars.contains(where: { Safe.isControl($0) && $0 != "\t" }) {
            problems.append("header \(field.name) decodes to a control character: \(field.value.debugDescription)")
        }
        if let rendered {
            if let subject = structure.header("Subject"), subject != rendered.subject {
                problems.append("Subject decodes to \(subject.debugDescription), not \(rendered.subject.debugDescription)")
            }
            problems += compare(structure.parts.map(\.text), rendered, "the parts")
        }

        guard let python = PythonMailParser.shared, FuzzOptions.asksPython(message) else { return problems }
        do {
            let parsed = try python.parse(message)
            if let error = parsed.error { problems.append("Python's email package failed: \(error)") }
            if !parsed.defects.isEmpty { problems.append("Python's email package found defects: \(parsed.defects)") }
            let pythonNames = parsed.headers.map { $0[0].lowercased() }
            if pythonNames != names { problems.append("Python reads headers \(pythonNames), not \(names)") }
            for header in parsed.headers where header[1].unicodeScalars.contains(where: { Safe.isControl($0) && $0 != "\t" }) {
                problems.append("Python decodes header \(header[0]) to a control character: \(header[1].debugDescription)")
            }
            // Python 3.11 keeps the space between two encoded words in a display name (RFC 2047
            // says to drop it), so names are compared without their white space.
            func bare(_ text: String) -> String {
                var scalars = String.UnicodeScalarView()
                scalars.append(contentsOf: text.unicodeScalars.filter { !$0.properties.isWhitespace })
                return String(scalars)
            }
            let to = parsed.addresses["to"] ?? []
            if to.count != 1 || to[0][1] != input.subscriber.email || bare(to[0][0]) != bare(input.subscriber.name ?? "") {
                problems.append("Python reads To as \(to), not \(input.subscriber.name.debugDescription) <\(input.subscriber.email)>")
            }
            let from = parsed.addresses["from"] ?? []
            let sender = input.environment.from
            if from.count != 1 || from[0][1] != sender.address.value || bare(from[0][0]) != bare(sender.displayName ?? "") {
                problems.append("Python reads From as \(from), not \(sender)")
            }
            if let rendered {
                if let subject = parsed.header("Subject"), subject != rendered.subject {
                    problems.append("Python decodes Subject to \(subject.debugDescription), not \(rendered.subject.debugDescription)")
                }
                problems += compare(parsed.parts.map(\.content), rendered, "Python's parts")
            }
        } catch {
            problems.append("Python's email package could not be asked: \(error)")
        }
        return problems
    }

    /// Decoded parts against what was rendered, naming the first difference.
    static func compare(_ parts: [String], _ rendered: RenderedMessage, _ what: String) -> [String] {
        let wanted = [rendered.text, rendered.html].filter { !$0.isEmpty }.map(normalized)
        let got = parts.map(normalized)
        guard got != wanted else { return [] }
        guard got.count == wanted.count else { return ["\(what): \(got.count) parts, not \(wanted.count)"] }
        for (a, b) in zip(got, wanted) where a != b {
            let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
            let at = zip(x, y).prefix { $0 == $1 }.count
            func around(_ s: [Unicode.Scalar]) -> String {
                var v = String.UnicodeScalarView()
                v.append(contentsOf: s[max(0, at - 30)..<min(s.count, at + 30)])
                return String(v).debugDescription
            }
            return ["\(what) differ at character \(at): decoded \(around(x)), rendered \(around(y))"]
        }
        return []
    }

    /// Line ends as LF, no trailing line breaks: how a part reads once decoded. CRs just before
    /// a line end go too: quoted-printable has no way to tell "CR, line end" from "line end".
    static func normalized(_ text: String) -> String {
        // On scalars: Foundation's search would not match a CR LF followed by a combining mark.
        var scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            if scalars[index] == "\r" {
                var end = index
                while end < scalars.count, scalars[end] == "\r" { end += 1 }
                if end < scalars.count, scalars[end] == "\n" { index = end }
            }
            out.append(scalars[index])
            index += 1
        }
        scalars = Array(out)
        while scalars.last == "\n" { scalars.removeLast() }
        var result = String.UnicodeScalarView()
        result.append(contentsOf: scalars)
        return String(result)
    }

    // MARK: Reading an input

    static func read(_ bytes: [UInt8], templates: TemplateSet) -> Input {
        var reader = FuzzReader(bytes)
        let flags = reader.byte()
        let kinds: [MessageKind] = [.digest, .blog, .confirm, .welcome]
        let kind = kinds[Int(flags & 3)]
        let raw = flags & 4 != 0
        let cadence: [DigestCadence] = [.daily, .weekly, .monthly, .weekly]
        let eventFlags = reader.byte()

        // Settings come through the config loader, one value at a time; a value it refuses
        // leaves the default (the config fuzzer covers the refusals).
        func setting<T>(_ section: String, _ key: String, _ value: String, _ pick: (Settings) -> T?) -> T? {
            guard !value.isEmpty, let settings = try? Settings.parse(yaml: "\(section):\n  \(key): \(YAMLText.quoted(value))\n", file: "/fuzz/n.yaml")
            else { return nil }
            return pick(settings)
        }
        let siteName = setting("site", "name", reader.text(maxLength: 2000)) { $0.site.name } ?? "Peak District Carers"
        let from = setting("mail", "from", reader.text(maxLength: 2000)) { $0.mail.from }
            ?? (try! Mailbox(parsing: "Peak District Carers <news@carers.example.org>"))
        let replyTo = setting("mail", "reply_to", reader.text(maxLength: 600)) { $0.mail.replyTo }
        let publicURL = setting("http", "public_url", reader.text(maxLength: 1200)) { $0.http.publicURL }
            ?? URL(string: "https://carers.example.org/newsletter")!
        let siteURL = setting("site", "base_url", reader.text(maxLength: 1200)) { $0.site.baseURL } ?? URL(string: "https://carers.example.org")!
        let postal = setting("site", "postal_address", reader.text(maxLength: 600)) { $0.site.postalAddress }
        let environment = ComposeEnvironment(
            siteName: siteName, siteURL: siteURL, postalAddress: postal, publicURL: publicURL, from: from, replyTo: replyTo,
            timeZone: TimeZone(identifier: "Europe/London")!, sendEmpty: true, blogWindow: 600, signup: SignupSettings(), templates: templates,
            tokens: LinkTokens(secret: Data(repeating: 7, count: 32)))

        // The subscriber as `subscribers add` or an import would store them.
        let emailText = reader.text(maxLength: 300)
        let email = (try? EmailAddress(emailText))?.value ?? "ann@example.org"
        let nameText = reader.text(maxLength: 400)
        var name: String?
        if raw {
            name = nameText.isEmpty ? nil : nameText
        } else {
            name = (try? SubscriberName.validated(nameText)) ?? nil
        }
        let topics = (try? Topic.slugs(semicolonSeparated: reader.text(maxLength: 300))) ?? []
        let subscriber = Subscriber(
            id: Int64(flags >> 3) + 1, email: email, name: name, status: kind == .confirm ? .pending : .active, digest: .weekly,
            blog: kind == .blog ? .immediate : .digest, topics: topics, createdAt: now.addingTimeInterval(-86400 * 30),
            updatedAt: now.addingTimeInterval(-86400 * 30), activeSince: now.addingTimeInterval(-86400 * 30))

        var events: [ContentEvent] = []
        let identity = PageIdentity(baseURL: siteURL.absoluteString, blogDir: "blog")
        let parser = PageParser(reader: DateReader(order: .dmy))
        for index in 0..<Int(eventFlags % 5) {
            let path = reader.text(maxLength: 300)
            let title = reader.text(maxLength: 2000)
            let summary = reader.text(maxLength: 2000)
            let url = reader.text(maxLength: 1500)
            let date = reader.text(maxLength: 100)
            let topic = reader.text(maxLength: 100)
            let post = kind == .blog || (eventFlags >> (3 + index % 5)) & 1 == 1
            let eventKind: ContentEventKind = post ? .postPublished : .pageUpdated
            if raw {
                events.append(ContentEvent(
                    id: Int64(index + 1), kind: eventKind, path: path, title: title, summary: summary.isEmpty ? nil : summary, url: url,
                    topics: topic.isEmpty ? [] : [topic], marker: date, detectedAt: now.addingTimeInterval(Double(index - 10) * 60)))
                continue
            }
            var file = path.replacingOccurrences(of: "\0", with: "").split(separator: "/").filter { $0 != ".." && $0 != "." }.joined(separator: "/")
            if post { file = "blog/" + file }
            if PageFormat(fileName: file) == nil { file += ".md" }
            var page = "---\ntitle: \(YAMLText.quoted(title))\ndescription: \(YAMLText.quoted(summary))\n"
            if !url.isEmpty { page += "url: \(YAMLText.quoted(url))\n" }
            if !topic.isEmpty { page += "topics: [\(YAMLText.quoted(topic))]\n" }
            page += "last_updated: \(YAMLText.quoted(date))\n---\nText.\n"
            let parsed = parser.parse(Array(page.utf8), format: .markdown)
            events.append(ContentEvent(
                id: Int64(index + 1), kind: eventKind, path: file, title: parsed.title ?? identity.fallbackTitle(of: file), summary: parsed.summary,
                url: identity.url(of: file, override: parsed.urlOverride), topics: identity.topics(of: file, declared: parsed.topics),
                marker: (parsed.lastUpdated ?? MarkerDate(year: 2026, month: 11, day: 10)!).description,
                detectedAt: now.addingTimeInterval(Double(index - 10) * 60)))
        }
        if kind == .blog && events.isEmpty {
            events.append(ContentEvent(
                id: 1, kind: .postPublished, path: "blog/a.md", title: "A post", summary: nil, url: "https://carers.example.org/blog/a", topics: [],
                marker: "2026-11-10", detectedAt: now.addingTimeInterval(-60)))
        }
        return Input(kind: kind, raw: raw, cadence: cadence[Int(flags >> 6)], environment: environment, subscriber: subscriber, events: events)
    }

    static func generate<G: RandomNumberGenerator>(using generator: inout G) -> [UInt8] {
        var writer = FuzzWriter()
        writer.byte(UInt8.random(in: 0...255, using: &generator) & (Int.random(in: 0..<4, using: &generator) == 0 ? 0xFF : 0xFB))
        writer.byte(UInt8.random(in: 0...255, using: &generator))
        func h(_ pieces: Int = 4) -> String { HostileText.string(using: &generator, maxPieces: pieces) }
        func maybe(_ good: String) -> String {
            switch Int.random(in: 0..<4, using: &generator) {
            case 0: return ""
            case 1: return good
            case 2: return h()
            default: return good + h(2)
            }
        }
        writer.text(maybe("Peak District Carers"))
        writer.text(maybe("\(h(2)) <news@carers.example.org>"))
        writer.text(maybe("help@carers.example.org"))
        writer.text(maybe("https://carers.example.org/" + h(2)))
        writer.text(maybe("https://carers.example.org"))
        writer.text(maybe("1 Market Place, Bakewell"))
        writer.text(String(decoding: AddressFuzz.generate(using: &generator), as: UTF8.self))
        writer.text(maybe("Ann " + h(2)))
        writer.text(maybe("support;" + h(1)))
        for _ in 0..<5 {
            writer.text(maybe("support/" + h(2) + ".md"))
            writer.text(maybe("Advocacy " + h(4)))
            writer.text(maybe("About advocacy. " + h(6)))
            writer.text(maybe("/" + h(2)))
            writer.text(maybe(DateText.random(using: &generator)))
            writer.text(maybe("support"))
        }
        return writer.bytes
    }
}
