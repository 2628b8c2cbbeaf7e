import NewsletterContent
import NewsletterCore

/// The page parser (Markdown with front matter, HTML, plain text) and the date reader.
enum PageFuzz {
    static let formats: [PageFormat] = [.markdown, .html, .text]
    static let orders: [SiteSettings.DateOrder] = [.dmy, .mdy, .ymd]

    static func check(_ input: [UInt8]) -> [String] {
        var reader = FuzzReader(input)
        let choice = reader.byte()
        let format = formats[Int(choice % 3)]
        let order = orders[Int(choice / 3 % 3)]
        var text = reader.rest()
        // The scanner hands the parser UTF-8 (it decodes other encodings first).
        if String(validating: text, as: UTF8.self) == nil { text = Array(String(decoding: text, as: UTF8.self).utf8) }
        var problems: [String] = []

        let page = PageParser(reader: DateReader(order: order)).parse(text, format: format)
        problems += line(page.title, "title", limit: 200)
        problems += line(page.summary, "summary", limit: 300)
        // The phrase as the page wrote it (a tab included); it is not shown anywhere.
        if let source = page.lastUpdatedSource, source.isEmpty || source.unicodeScalars.contains(where: { Safe.isControl($0) && $0 != "\t" }) {
            problems.append("the marker's source \(source.debugDescription) holds a line break or control character")
        }
        for warning in page.warnings { problems += line(warning, "warning", limit: nil) }
        let identity = PageIdentity(baseURL: "https://carers.example.org", blogDir: "blog")
        for topic in identity.topics(of: "a/b.md", declared: page.topics) where topic.isEmpty || Topic.slug(topic) != topic {
            problems.append("topic \(topic.debugDescription) is not a slug")
        }
        if let url = page.urlOverride {
            if url.isEmpty || Safe.hasControl(url) {
                problems.append("url override \(url.debugDescription) holds a line break or a control character")
            }
            let full = identity.url(of: "a/b.md", override: url)
            if full.unicodeScalars.contains(where: { Safe.isControl($0) || $0.properties.isWhitespace }) {
                problems.append("page url \(full.debugDescription) holds a space, a line break or a control character")
            }
        }
        for (date, what) in [(page.lastUpdated, "last updated"), (page.date, "date")] {
            guard let date else { continue }
            problems += valid(date, what)
        }

        // The date reader on the same text, whole and as a prefix.
        let dates = DateReader(order: order)
        for result in [dates.read(String(decoding: text, as: UTF8.self)), dates.read(prefixOf: text[...])] {
            switch result {
            case .date(let date, let length)?:
                problems += valid(date, "read date")
                if length < 1 || length > text.count { problems.append("date length \(length) outside the text") }
            case .impossible(let shown, let length)?:
                if length < 1 || length > text.count { problems.append("impossible-date length \(length) outside the text") }
                // Shown in warnings quoted (escaped), so it may hold what the page held.
                _ = shown
            case nil:
                break
            }
        }
        return problems
    }

    static func line(_ text: String?, _ what: String, limit: Int?) -> [String] {
        guard let text else { return [] }
        var problems: [String] = []
        if text.isEmpty { problems.append("\(what) is empty rather than absent") }
        if Safe.hasControl(text) { problems.append("\(what) \(text.debugDescription) holds a line break or control character") }
        if let limit {
            if text.count > limit { problems.append("\(what) is \(text.count) characters, over \(limit)") }
            if text.unicodeScalars.first?.properties.isWhitespace == true || text.unicodeScalars.last?.properties.isWhitespace == true { problems.append("\(what) \(text.debugDescription) is not trimmed") }
        }
        return problems
    }

    static func valid(_ date: MarkerDate, _ what: String) -> [String] {
        var problems: [String] = []
        if MarkerDate(year: date.year, month: date.month, day: date.day, secondsIntoDay: date.secondsIntoDay) == nil {
            problems.append("\(what) \(date) is not a real date")
        }
        if MarkerDate(iso: date.description) != date { problems.append("\(what) \(date) does not read back from its text form") }
        return problems
    }

    static func generate<G: RandomNumberGenerator>(using generator: inout G) -> [UInt8] {
        func h(_ pieces: Int = 4) -> String { HostileText.string(using: &generator, maxPieces: pieces) }
        func yaml(_ value: String) -> String {
            Bool.random(using: &generator) ? YAMLText.quoted(value) : value
        }
        let choice = UInt8.random(in: 0..<9, using: &generator)
        var text = ""
        switch choice % 3 {
        case 0:
            if Int.random(in: 0..<4, using: &generator) > 0 {
                text += "---\n"
                let keys = ["title", "description", "summary", "lastmod", "last_updated", "updated", "date", "topics", "tags", "draft", "url", "permalink", h(1)]
                for _ in 0..<Int.random(in: 0...6, using: &generator) {
                    let key = keys.randomElement(using: &generator)!
                    switch Int.random(in: 0..<4, using: &generator) {
                    case 0: text += "\(key):\n" + (0..<Int.random(in: 0...3, using: &generator)).map { _ in "  - \(yaml(h(2)))\n" }.joined()
                    case 1: text += "\(key): \(yaml(DateText.random(using: &generator)))\n"
                    default: text += "\(key): \(yaml(h()))\n"
                    }
                }
                text += ["---\n", "...\n", "---", "--- \n", ""].randomElement(using: &generator)!
            }
            text += ["# ", "", "Title\n===\n", "[link](x) "].randomElement(using: &generator)! + h() + "\n\n" + h(6) + "\n"
        case 1:
            let tags = ["<title>", "</title>", "<h1>", "</h1>", "<p>", "</p>", "<meta name=\"description\" content=\"", "\">",
                        "<meta property=\"article:modified_time\" content=\"", "<script>", "</script>", "<!-- ", " -->", "<div>", "<br>", "<a href='x'>"]
            for _ in 0..<Int.random(in: 1...12, using: &generator) {
                text += Bool.random(using: &generator) ? tags.randomElement(using: &generator)! : h(2)
                if Int.random(in: 0..<5, using: &generator) == 0 { text += DateText.random(using: &generator) }
            }
        default:
            text = h() + "\n" + h(6) + "\n\n" + h(4)
        }
        if Bool.random(using: &generator) {
            text += ["\nThis information was last updated on ", "\nLast updated: ", "\nUpdated ", "\nPage last reviewed: "].randomElement(using: &generator)!
                + DateText.random(using: &generator) + "\n"
        }
        var writer = FuzzWriter()
        writer.byte(choice)
        var bytes = Array(text.utf8)
        if Int.random(in: 0..<10, using: &generator) == 0 {
            bytes.insert(contentsOf: HostileText.bytes(using: &generator, maxPieces: 2), at: Int.random(in: 0...bytes.count, using: &generator))
        }
        writer.rest(bytes)
        return writer.bytes
    }
}

/// Dates as pages write them, real and impossible.
public enum DateText {
    static let months = ["January", "Feb", "march", "Sept", "May", "December", "Foo"]

    public static func random<G: RandomNumberGenerator>(using generator: inout G) -> String {
        let day = [1, 5, 12, 28, 29, 30, 31, 0, 32, 99].randomElement(using: &generator)!
        let month = [1, 2, 3, 9, 12, 0, 13].randomElement(using: &generator)!
        let year = [2022, 2024, 2023, 1900, 1899, 2199, 2200, 0, 99, 24].randomElement(using: &generator)!
        let name = months.randomElement(using: &generator)!
        switch Int.random(in: 0..<8, using: &generator) {
        case 0: return "\(day)/\(month)/\(year)"
        case 1: return "\(year)-\(month)-\(day)"
        case 2: return "\(year)-0\(month)-\(day)T\([0, 9, 23, 24].randomElement(using: &generator)!):30:\([0, 59, 60, 61].randomElement(using: &generator)!)\(["Z", "+01:00", "-14:00", "+15:00", "", " UTC", ".123Z"].randomElement(using: &generator)!)"
        case 3: return "\(day) \(name) \(year)"
        case 4: return "\(name) \(day)th, \(year)"
        case 5: return "Tuesday, \(day)rd of \(name) \(year)"
        case 6: return "\(day).\(month).\(year % 100)"
        default: return "\(day)-\(name)-\(year)"
        }
    }
}

/// YAML double-quoted scalars that hold any text.
public enum YAMLText {
    public static func quoted(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                let v = scalar.value
                if v < 0x20 || (v >= 0x7F && v <= 0x9F) || v == 0x2028 || v == 0x2029 || v == 0xFEFF || (v >= 0xD800 && v <= 0xDFFF) || v >= 0xFFFE {
                    out += v <= 0xFF ? "\\x" + hex(v, 2) : (v <= 0xFFFF ? "\\u" + hex(v, 4) : "\\U" + hex(v, 8))
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    private static func hex(_ value: UInt32, _ digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
