/// Tag names as small numbers, so that each tag in the outline costs a few bytes and matching
/// a closing tag is an array look-up (a 10 MB page can hold three million tags).
struct WebPageTagNames {
    // The names the reader treats specially; any other name gets a number of its own on sight.
    static let none: UInt16 = 0
    static let html: UInt16 = 1, head: UInt16 = 2, body: UInt16 = 3, main: UInt16 = 4, article: UInt16 = 5, section: UInt16 = 6
    static let nav: UInt16 = 7, header: UInt16 = 8, footer: UInt16 = 9, aside: UInt16 = 10, dialog: UInt16 = 11, form: UInt16 = 12
    static let p: UInt16 = 13, li: UInt16 = 14, ul: UInt16 = 15, ol: UInt16 = 16, dl: UInt16 = 17, dt: UInt16 = 18, dd: UInt16 = 19
    static let h1: UInt16 = 20, h2: UInt16 = 21, h3: UInt16 = 22, h4: UInt16 = 23, h5: UInt16 = 24, h6: UInt16 = 25
    static let div: UInt16 = 26, br: UInt16 = 27, hr: UInt16 = 28, table: UInt16 = 29, tr: UInt16 = 30, td: UInt16 = 31, th: UInt16 = 32
    static let blockquote: UInt16 = 33, figure: UInt16 = 34, figcaption: UInt16 = 35, pre: UInt16 = 36, address: UInt16 = 37
    static let details: UInt16 = 38, summary: UInt16 = 39, fieldset: UInt16 = 40, legend: UInt16 = 41, menu: UInt16 = 42
    static let input: UInt16 = 43, meta: UInt16 = 44, link: UInt16 = 45, base: UInt16 = 46, img: UInt16 = 47, area: UInt16 = 48
    static let col: UInt16 = 49, embed: UInt16 = 50, source: UInt16 = 51, track: UInt16 = 52, wbr: UInt16 = 53, param: UInt16 = 54
    static let label: UInt16 = 55, button: UInt16 = 56, option: UInt16 = 57, select: UInt16 = 58, caption: UInt16 = 59

    static let known: [String] = [
        "", "html", "head", "body", "main", "article", "section", "nav", "header", "footer", "aside", "dialog", "form",
        "p", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
        "div", "br", "hr", "table", "tr", "td", "th", "blockquote", "figure", "figcaption", "pre", "address",
        "details", "summary", "fieldset", "legend", "menu", "input", "meta", "link", "base", "img", "area",
        "col", "embed", "source", "track", "wbr", "param", "label", "button", "option", "select", "caption",
    ]

    /// Past this many distinct names (a hostile page can invent millions), new names share
    /// `none`: they still nest, but no closing tag matches them.
    static let limit = 2048

    private var ids: [String: UInt16]
    private(set) var count: Int

    init() {
        ids = Dictionary(uniqueKeysWithValues: Self.known.enumerated().map { ($0.element, UInt16($0.offset)) })
        count = Self.known.count
    }

    mutating func id(_ name: String) -> UInt16 {
        if let id = ids[name] { return id }
        guard count < Self.limit else { return Self.none }
        let id = UInt16(count)
        ids[name] = id
        count += 1
        return id
    }

    static func isVoid(_ id: UInt16) -> Bool { id >= input && id <= param || id == br || id == hr }

    /// Whether the tag starts a new line of text, as a browser lays it out.
    static func breaksLine(_ id: UInt16) -> Bool {
        (id >= html && id <= li) || id == ul || id == ol || id == dl || (id >= h1 && id <= h6) || id == br || id == hr || id == table
            || id == tr || (id >= blockquote && id <= menu) || id == option || id == select || id == caption
    }

    /// Whether the tag separates words without starting a line: table cells, `<dt>`/`<dd>`
    /// and `<div>`s, which sites put side by side ("Last updated" | "5 May 2022").
    static func separatesWords(_ id: UInt16) -> Bool {
        id == div || id == dt || id == dd || id == td || id == th || id == label || id == button || id == input || id == img
    }

    /// Whether opening the tag ends an open `<p>`, as in an HTML parser: hand-written pages
    /// rarely close their paragraphs.
    static func closesParagraph(_ id: UInt16) -> Bool {
        id == p || id == div || (id >= main && id <= form) || (id >= li && id <= dd) || (id >= h1 && id <= h6) || id == hr
            || id == table || (id >= blockquote && id <= menu)
    }

    static func isHeading(_ id: UInt16) -> Bool { id >= h1 && id <= h6 }
}
