/// A fetched page as a flat list of tags, each knowing the tag that ends its element and its
/// parent, read in one pass with the file reader's tokenizer; and the facts the `<head>` gives.
///
/// Flat, not a tree of nodes: the reader only needs to know which stretch of the page an
/// element spans, and a tree costs an allocation per element. Closing follows an HTML
/// parser's rules where pages rely on them (`<p>` and `<li>` left open, a `</div>` that also
/// ends what it holds), with every search bounded, so that no input costs more than a few
/// steps per byte.
struct WebPageOutline {
    struct Token {
        /// The "<" and the byte after ">".
        var start: Int32
        var end: Int32
        /// For an opening tag, the token that ends its element (its closing tag, the tag that
        /// implies the end, or `tokens.count` for one left open); for any other, its own index.
        var close: Int32
        var parent: Int32
        /// Text bytes other than spaces before this token: the text an element holds is the
        /// difference between its two ends.
        var textBefore: Int32
        var name: UInt16
        var closing: Bool
        var kind: ElementKind
    }

    var tokens: [Token] = []
    var textTotal = 0
    /// `<meta>` contents by `property`, `name` or `http-equiv` (lowercased), the first of each.
    var meta: [String: String] = [:]
    /// Every robots and googlebot meta content.
    var robots: [String] = []
    var title: String?
    var language: String?
    var baseHref: String?
    var canonicalHref: String?
    /// The bodies of `<script type="application/ld+json">`.
    var jsonLD: [Range<Int>] = []

    private init() {}

    static let kept = HTMLPage.KeptAttributes(tags: ["meta", "link", "base", "html", "script"], names: MainContentRules.attributes)

    /// Elements whose content is not HTML: skipped whole, as a browser running scripts does.
    static let rawText: Set<String> = ["script", "style", "template", "svg", "math", "noscript", "textarea", "iframe", "xmp"]

    init(_ html: [UInt8], work: inout Int) {
        var builder = Builder(html: html)
        builder.run(work: &work)
        self = builder.outline
    }

    private struct Builder {
        let html: [UInt8]
        var outline = WebPageOutline()
        var names = WebPageTagNames()
        var stack: [Int32] = []
        var open = [Int32](repeating: 0, count: WebPageTagNames.limit)
        var sectionDepth = 0
        var excludedDepth = 0
        var furnitureDepth = 0
        var articleDepth = 0
        var textCount = 0
        /// Set once a `<title>` is found unclosed: searching again from every later `<title>`
        /// would read the rest of the page each time.
        var titleUnclosed = false

        init(html: [UInt8]) {
            self.html = html
            outline.tokens.reserveCapacity(html.count / 64)
        }

        mutating func run(work: inout Int) {
            typealias N = WebPageTagNames
            var index = 0
            let count = html.count
            while index < count {
                work += 1
                let byte = html[index]
                guard byte == UInt8(ascii: "<") else {
                    if byte > 0x20 { textCount += 1 }
                    index += 1
                    continue
                }
                if HTMLPage.hasPrefix(html, at: index, "<!--") {
                    let end = HTMLPage.find(html, "-->", from: index + 4, work: &work).map { $0 + 3 } ?? count
                    append(N.none, start: index, end: end, closing: false, kind: .empty)
                    index = end
                    continue
                }
                guard let tag = HTMLPage.tag(html, at: index, work: &work, keeping: WebPageOutline.kept) else {
                    textCount += 1
                    index += 1
                    continue
                }
                let start = index
                index = tag.end
                guard !tag.name.isEmpty, tag.name != "!" else {
                    append(N.none, start: start, end: tag.end, closing: false, kind: .empty)
                    continue
                }
                let id = names.id(tag.name)
                if tag.closing {
                    closeElement(id, start: start, end: tag.end)
                    continue
                }
                if WebPageOutline.rawText.contains(tag.name) {
                    let closeAt = HTMLPage.findCaseInsensitive(html, "</\(tag.name)", from: index, work: &work)
                    let end = closeAt.flatMap { HTMLPage.find(html, ">", from: $0, work: &work) }.map { $0 + 1 } ?? count
                    if tag.name == "script", let closeAt, tag.attributes["type"]?.lowercased().contains("ld+json") == true {
                        outline.jsonLD.append(index..<closeAt)
                    }
                    append(id, start: start, end: end, closing: false, kind: .empty)
                    index = end
                    continue
                }
                if tag.name == "title", outline.title == nil, !titleUnclosed {
                    if let closeAt = HTMLPage.findCaseInsensitive(html, "</title", from: index, work: &work) {
                        outline.title = TextCleanup.collapse(HTMLEntities.decode(html[index..<closeAt].prefix(8192)))
                        let end = HTMLPage.find(html, ">", from: closeAt, work: &work).map { $0 + 1 } ?? count
                        append(id, start: start, end: end, closing: false, kind: .empty)
                        index = end
                        continue
                    }
                    titleUnclosed = true
                }
                noteFacts(tag)
                openElement(id, attributes: tag.attributes, start: start, end: tag.end)
            }
            outline.textTotal = textCount
            while !stack.isEmpty { pop(closedBy: outline.tokens.count) }
        }

        mutating func noteFacts(_ tag: HTMLPage.Tag) {
            let attributes = tag.attributes
            switch tag.name {
            case "meta":
                guard let key = (attributes["property"] ?? attributes["name"] ?? attributes["http-equiv"])?.lowercased(),
                    let content = attributes["content"]
                else { return }
                if outline.meta[key] == nil { outline.meta[key] = content }
                if key == "robots" || key == "googlebot", outline.robots.count < 8 { outline.robots.append(content) }
            case "link":
                let rel = attributes["rel"]?.lowercased().split(separator: " ") ?? []
                if outline.canonicalHref == nil, rel.contains("canonical"), let href = attributes["href"], !href.isEmpty {
                    outline.canonicalHref = href
                }
            case "base":
                if outline.baseHref == nil, let href = attributes["href"], !href.isEmpty { outline.baseHref = href }
            case "html":
                if outline.language == nil, let lang = attributes["lang"] ?? attributes["xml:lang"], !lang.isEmpty { outline.language = lang }
            default:
                break
            }
        }

        mutating func append(_ name: UInt16, start: Int, end: Int, closing: Bool, kind: ElementKind) {
            let index = Int32(outline.tokens.count)
            outline.tokens.append(
                Token(
                    start: Int32(start), end: Int32(end), close: index, parent: stack.last ?? -1, textBefore: Int32(textCount), name: name,
                    closing: closing, kind: kind))
        }

        mutating func openElement(_ id: UInt16, attributes: [String: String], start: Int, end: Int) {
            typealias N = WebPageTagNames
            let here = outline.tokens.count
            if id == N.body, open[Int(N.head)] > 0 { popThrough(N.head, closedBy: here) }
            if N.closesParagraph(id), open[Int(N.p)] > 0 { popNear(N.p, stoppingAt: { N.closesParagraph($0) }, closedBy: here) }
            if id == N.li, open[Int(N.li)] > 0 { popNear(N.li, stoppingAt: { $0 == N.ul || $0 == N.ol || $0 == N.menu || $0 == N.table }, closedBy: here) }
            if id == N.dt || id == N.dd {
                popNear(N.dt, stoppingAt: { $0 == N.dl || $0 == N.dd }, closedBy: here)
                popNear(N.dd, stoppingAt: { $0 == N.dl || $0 == N.dt }, closedBy: here)
            }
            var kind = MainContentRules.kind(name: id, attributes: attributes, inSection: sectionDepth > 0)
            if excludedDepth > 0 { kind.insert(.insideExcluded) }
            if furnitureDepth > 0 { kind.insert(.insideFurniture) }
            if articleDepth > 0, kind.contains(.article) { kind.insert(.nestedArticle) }
            if N.isVoid(id) {
                append(id, start: start, end: end, closing: false, kind: kind.union(.empty))
                return
            }
            append(id, start: start, end: end, closing: false, kind: kind)
            stack.append(Int32(here))
            open[Int(id)] += 1
            adjustDepths(id: id, kind: kind, by: 1)
        }

        mutating func adjustDepths(id: UInt16, kind: ElementKind, by step: Int) {
            typealias N = WebPageTagNames
            if (id >= N.main && id <= N.aside) || kind.contains(.main) { sectionDepth += step }
            if !kind.isDisjoint(with: .excluded) { excludedDepth += step }
            if kind.contains(.furniture) { furnitureDepth += step }
            if id == N.article { articleDepth += step }
        }

        mutating func closeElement(_ id: UInt16, start: Int, end: Int) {
            let here = outline.tokens.count
            append(id, start: start, end: end, closing: true, kind: [])
            // A closing tag with nothing of its name open is ignored, as browsers do.
            guard id != WebPageTagNames.none, open[Int(id)] > 0 else { return }
            popThrough(id, closedBy: here)
        }

        /// Ends every element down to and including the innermost `id` (which is open).
        mutating func popThrough(_ id: UInt16, closedBy closer: Int) {
            while let top = stack.last {
                let name = outline.tokens[Int(top)].name
                pop(closedBy: closer)
                if name == id { return }
            }
        }

        /// Ends the innermost `id` and what it holds, if it is among the last few open elements
        /// and no element `stop` accepts comes first.
        mutating func popNear(_ id: UInt16, stoppingAt stop: (UInt16) -> Bool, closedBy closer: Int) {
            guard open[Int(id)] > 0 else { return }
            for offset in 0..<min(8, stack.count) {
                let name = outline.tokens[Int(stack[stack.count - 1 - offset])].name
                if name == id {
                    popThrough(id, closedBy: closer)
                    return
                }
                if stop(name) { return }
            }
        }

        mutating func pop(closedBy closer: Int) {
            guard let top = stack.popLast() else { return }
            let token = outline.tokens[Int(top)]
            outline.tokens[Int(top)].close = Int32(closer)
            open[Int(token.name)] -= 1
            adjustDepths(id: token.name, kind: token.kind, by: -1)
        }
    }
}
