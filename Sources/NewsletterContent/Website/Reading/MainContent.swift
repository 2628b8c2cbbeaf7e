/// The page's own content, told apart from what every page of the site repeats, and what it
/// gives: its first `<h1>`, its first real paragraph (with the list that paragraph introduces,
/// for `SummaryText`), and its visible text, in three parts for the "last updated" phrase:
/// the content, the rest of the page (where some CMSs print "Last updated" in a strip below
/// the content, or "Page last reviewed" in the footer), and the furniture (menus, banners,
/// asides), whose news teasers' dates are never the page's.
///
/// The content is the first `<main>` (or `role="main"`) holding text, else the outermost
/// `<article>` holding the most text, else the body without its furniture and footer.
struct MainContent {
    enum Root: Equatable {
        case element(Int)
        case body
    }

    var root = Root.body
    var heading: String?
    /// The first `<h1>` outside the content but not in furniture: LocalGov Drupal and many
    /// council themes print the page's title in a block above `<main>`.
    var headingOutside: String?
    var paragraph: String?
    var items: [String] = []
    var next: String?
    var contentText: [UInt8] = []
    var outsideText: [UInt8] = []
    var furnitureText: [UInt8] = []
    /// Text bytes other than spaces in the content.
    var contentLength = 0
    var passwordField = false

    static let captureLimit = 16_384

    private init() {}

    init(outline: inout WebPageOutline, html: [UInt8], reader: DateReader, work: inout Int) {
        root = Self.chooseRoot(&outline)
        var walk = Walk(outline: outline, html: html, root: root, reader: reader)
        walk.run(work: &work)
        self = walk.content
        root = walk.root
    }

    // MARK: Choosing the content

    static func chooseRoot(_ outline: inout WebPageOutline) -> Root {
        let tokens = outline.tokens
        func length(_ index: Int) -> Int {
            let close = Int(tokens[index].close)
            let after = close < tokens.count ? Int(tokens[close].textBefore) : outline.textTotal
            return after - Int(tokens[index].textBefore)
        }
        var article: (index: Int, length: Int)?
        for (index, token) in tokens.enumerated() where !token.closing {
            if token.kind.contains(.main), length(index) > 0 {
                clearAncestors(of: index, in: &outline, removing: ElementKind.guesses)
                return .element(index)
            }
            if token.kind.contains(.article), token.kind.isDisjoint(with: [.nestedArticle, .insideExcluded]) {
                let size = length(index)
                if size > article?.length ?? 0 { article = (index, size) }
            }
        }
        if let article {
            clearAncestors(of: article.index, in: &outline, removing: ElementKind.guesses)
            return .element(article.index)
        }
        // Without either, a class name must not hide the page's heading ("has-cookie-notice"
        // on a wrapper round the whole page).
        if let heading = tokens.firstIndex(where: { $0.name == WebPageTagNames.h1 && !$0.closing && !$0.kind.contains(.insideFurniture) }) {
            clearAncestors(of: heading, in: &outline, removing: [.furnitureByName, .quiet, .hidden])
        }
        return .body
    }

    static func clearAncestors(of index: Int, in outline: inout WebPageOutline, removing kinds: ElementKind) {
        var current = index
        while current >= 0 {
            outline.tokens[current].kind.subtract(kinds)
            current = Int(outline.tokens[current].parent)
        }
    }

    // MARK: Reading it

    enum Zone {
        case hidden, furniture, content, outside
    }

    enum SummaryState {
        case seeking, afterColon, inList(Int, close: Int), afterList, done
    }

    enum CaptureKind {
        case heading, paragraph, item, next
    }

    struct Capture {
        var kind: CaptureKind
        var close: Int
        var buffer: [UInt8] = []
    }

    private struct Walk {
        let outline: WebPageOutline
        let html: [UInt8]
        let root: Root
        let reader: DateReader
        var content = MainContent()
        var hiddenUntil = -1
        var furnitureUntil = -1
        var footerUntil = -1
        var quietUntil = -1
        var capture: Capture?
        var outsideCapture: Capture?
        var state = SummaryState.seeking

        init(outline: WebPageOutline, html: [UInt8], root: Root, reader: DateReader) {
            self.outline = outline
            self.html = html
            self.root = root
            self.reader = reader
        }

        /// The zone of the text after token `index` (`token: false`) or of the token itself,
        /// whose own element the `until` marks do not hold yet.
        func zone(_ index: Int, token: Bool) -> Zone {
            if index < hiddenUntil { return .hidden }
            if index < furnitureUntil { return .furniture }
            if index < footerUntil { return .outside }
            switch root {
            case .body:
                return .content
            case .element(let open):
                let close = Int(outline.tokens[open].close)
                return (token ? index > open : index >= open) && index < close ? .content : .outside
            }
        }

        mutating func run(work: inout Int) {
            let tokens = outline.tokens
            work += tokens.count
            for index in 0...tokens.count {
                let from = index == 0 ? 0 : Int(tokens[index - 1].end)
                let to = index == tokens.count ? html.count : Int(tokens[index].start)
                if to > from {
                    work += to - from
                    text(html[from..<to], zone: zone(index - 1, token: false), quiet: index - 1 < quietUntil)
                }
                guard index < tokens.count else { break }
                token(index, tokens[index])
            }
            finishCapture()
            finishOutside()
        }

        mutating func text(_ bytes: ArraySlice<UInt8>, zone: Zone, quiet: Bool) {
            switch zone {
            case .hidden:
                return
            case .furniture:
                MainContent.append(bytes, to: &content.furnitureText)
            case .outside:
                MainContent.append(bytes, to: &content.outsideText)
                if !quiet, outsideCapture != nil { MainContent.append(bytes, to: &outsideCapture!.buffer, limit: 4096) }
            case .content:
                let before = content.contentText.count
                MainContent.append(bytes, to: &content.contentText)
                content.contentLength += content.contentText[before...].lazy.filter { $0 > 0x20 }.count
                if !quiet, capture != nil { MainContent.append(bytes, to: &capture!.buffer, limit: MainContent.captureLimit) }
            }
        }

        mutating func token(_ index: Int, _ token: WebPageOutline.Token) {
            typealias N = WebPageTagNames
            if capture?.close == index { finishCapture() }
            if outsideCapture?.close == index { finishOutside() }
            if case .inList(_, let close) = state, close == index { state = .afterList }

            let zone = zone(index, token: true)
            let quiet = index < quietUntil
            let newline = N.breaksLine(token.name)
            if newline || N.separatesWords(token.name) {
                switch zone {
                case .hidden: break
                case .furniture: MainContent.separate(&content.furnitureText, newline: newline)
                case .outside: MainContent.separate(&content.outsideText, newline: newline)
                case .content: MainContent.separate(&content.contentText, newline: newline)
                }
                if capture != nil { MainContent.separate(&capture!.buffer, newline: false) }
                if outsideCapture != nil { MainContent.separate(&outsideCapture!.buffer, newline: false) }
            }
            guard !token.closing else { return }
            let close = Int(token.close)
            if !token.kind.contains(.empty) {
                if token.kind.contains(.hidden) { hiddenUntil = max(hiddenUntil, close) }
                if !token.kind.isDisjoint(with: [.furniture, .furnitureByName]) { furnitureUntil = max(furnitureUntil, close) }
                if token.kind.contains(.footer) { footerUntil = max(footerUntil, close) }
                if token.kind.contains(.quiet) { quietUntil = max(quietUntil, close) }
            }
            if zone == .outside, !quiet, token.name == N.h1, content.headingOutside == nil, outsideCapture == nil {
                outsideCapture = Capture(kind: .heading, close: close)
            }
            guard zone == .content, !quiet, !token.kind.contains(.hidden) else { return }
            if token.kind.contains(.password) { content.passwordField = true }
            guard capture == nil else { return }
            switch (token.name, state) {
            case (N.h1, _) where content.heading == nil:
                capture = Capture(kind: .heading, close: close)
            case (N.p, .seeking):
                capture = Capture(kind: .paragraph, close: close)
            case (N.p, .afterColon), (N.p, .afterList):
                capture = Capture(kind: .next, close: close)
            case (N.ul, .afterColon), (N.ol, .afterColon):
                state = .inList(index, close: close)
            case (N.li, .inList(let list, _)) where Int(token.parent) == list:
                capture = Capture(kind: .item, close: close)
            default:
                break
            }
        }

        mutating func finishCapture() {
            guard let finished = capture else { return }
            capture = nil
            let text = TextCleanup.collapse(HTMLEntities.decode(finished.buffer))
            switch finished.kind {
            case .heading:
                if !text.isEmpty { content.heading = text }
            case .paragraph:
                guard MainContent.isRealParagraph(text, reader: reader) else { return }
                content.paragraph = text
                state = text.hasSuffix(":") ? .afterColon : .done
            case .item:
                if !text.isEmpty, content.items.count <= SummaryText.maxItems { content.items.append(text) }
            case .next:
                guard !text.isEmpty, !TextCleanup.isMarkerLine(text, reader: reader) else { return }
                content.next = text
                state = .done
            }
        }

        mutating func finishOutside() {
            guard let finished = outsideCapture else { return }
            outsideCapture = nil
            let text = TextCleanup.collapse(HTMLEntities.decode(finished.buffer))
            if !text.isEmpty { content.headingOutside = text }
        }
    }

    // MARK: Text

    /// Appends text as a browser shows it: runs of white space as one space.
    static func append(_ bytes: ArraySlice<UInt8>, to buffer: inout [UInt8], limit: Int = .max) {
        for byte in bytes {
            guard buffer.count < limit else { return }
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0C || byte == 0x0D {
                if let last = buffer.last, last != 0x20, last != 0x0A { buffer.append(0x20) }
            } else {
                buffer.append(byte)
            }
        }
    }

    /// Ends a line (`newline`) or a word, once however many tags end there.
    static func separate(_ buffer: inout [UInt8], newline: Bool) {
        guard let last = buffer.last else { return }
        if newline {
            if last == 0x20 { buffer[buffer.count - 1] = 0x0A } else if last != 0x0A { buffer.append(0x0A) }
        } else if last != 0x20, last != 0x0A {
            buffer.append(0x20)
        }
    }

    /// A paragraph that can stand for the page: not a date line, a skip link, a breadcrumb
    /// trail, a cookie notice or a stray "Back to top".
    static func isRealParagraph(_ text: String, reader: DateReader) -> Bool {
        guard !text.isEmpty, !TextCleanup.isMarkerLine(text, reader: reader), !isDateLine(text, reader: reader) else { return false }
        let words = text.utf8.lazy.filter { $0 == 0x20 }.count + 1
        let ends = text.last.map { ".!?:".contains($0) } ?? false
        guard words >= 4 || (words >= 2 && ends) else { return false }
        let lower = text.prefix(400).lowercased()
        if ["skip to", "you are here", "back to"].contains(where: { lower.hasPrefix($0) }) { return false }
        if lower.contains("cookie"), ["we use", "accept", "consent", "this site uses", "this website uses"].contains(where: { lower.contains($0) }) {
            return false
        }
        return true
    }

    /// A short line holding a date ("Published 5 May 2022", "Posted on 12/03/2024").
    static func isDateLine(_ text: String, reader: DateReader) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count < 80 else { return false }
        for index in bytes.indices where index == 0 || bytes[index - 1] == 0x20 {
            if case .date? = reader.read(prefixOf: bytes[index...]) { return true }
        }
        return false
    }
}
