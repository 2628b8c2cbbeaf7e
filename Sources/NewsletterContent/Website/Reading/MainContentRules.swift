/// What an element is to a reader of the page, from its tag, role and attributes: the page's
/// own content, or the furniture every page of the site repeats (menus, banners, cookie
/// notices, breadcrumbs, share buttons), which must never give a page its title, summary or date.
struct ElementKind: OptionSet, Sendable {
    let rawValue: UInt16

    /// Navigation, a page-wide header, an aside or a dialog, by tag or ARIA role.
    static let furniture = ElementKind(rawValue: 1 << 0)
    /// Furniture by its class or id: a guess, which gives way when it holds the main content.
    static let furnitureByName = ElementKind(rawValue: 1 << 1)
    /// The page-wide footer (`<footer>` outside any section, `role="contentinfo"`): not the
    /// content, but where some sites print "Page last reviewed".
    static let footer = ElementKind(rawValue: 1 << 2)
    /// Not shown at all: `hidden`, `display: none`.
    static let hidden = ElementKind(rawValue: 1 << 3)
    /// Shown only to screen readers ("sr-only", `aria-hidden` decorations): no title or summary.
    static let quiet = ElementKind(rawValue: 1 << 4)
    static let main = ElementKind(rawValue: 1 << 5)
    static let article = ElementKind(rawValue: 1 << 6)
    /// `<input type="password">`.
    static let password = ElementKind(rawValue: 1 << 7)
    /// Opened inside another `<article>`.
    static let nestedArticle = ElementKind(rawValue: 1 << 8)
    /// Opened inside furniture, a footer or hidden content.
    static let insideExcluded = ElementKind(rawValue: 1 << 9)
    /// Opened inside furniture by tag or role (which no guard undoes).
    static let insideFurniture = ElementKind(rawValue: 1 << 10)
    /// A void or raw-text element (`<br>`, `<script>`): it holds no other element.
    static let empty = ElementKind(rawValue: 1 << 11)

    static let excluded: ElementKind = [.furniture, .furnitureByName, .footer, .hidden]
    /// What the guards may undo: the element holds the content after all.
    static let guesses: ElementKind = [.furnitureByName, .quiet, .hidden, .furniture, .footer]
}

enum MainContentRules {
    /// Attributes the reader needs on any tag.
    static let attributes: Set<String> = ["class", "id", "role", "hidden", "aria-hidden", "style", "type"]

    /// The kind of an opening tag. `inSection` tells whether it sits inside `<article>`,
    /// `<aside>`, `<main>`, `<nav>` or `<section>`, where a `<header>` or `<footer>` belongs to
    /// that section (WordPress puts the page's `<h1>` in the article's `<header>`).
    static func kind(name: UInt16, attributes: [String: String], inSection: Bool) -> ElementKind {
        typealias N = WebPageTagNames
        var kind: ElementKind = []
        switch name {
        case N.nav, N.aside, N.dialog: kind.insert(.furniture)
        case N.header where !inSection: kind.insert(.furniture)
        case N.footer where !inSection: kind.insert(.footer)
        case N.main: kind.insert(.main)
        case N.article: kind.insert(.article)
        case N.input where attributes["type"]?.lowercased() == "password": kind.insert(.password)
        default: break
        }
        if let role = attributes["role"]?.lowercased().split(separator: " ").first {
            switch role {
            case "navigation", "banner", "complementary", "search", "dialog", "alertdialog", "menubar", "menu": kind.insert(.furniture)
            case "contentinfo": kind.insert(.footer)
            case "main": kind.insert(.main)
            default: break
            }
        }
        if attributes["hidden"] != nil || hidesByStyle(attributes["style"]) { kind.insert(.hidden) }
        if attributes["aria-hidden"]?.lowercased() == "true" { kind.insert(.quiet) }
        // The page's own containers carry state classes ("has-cookie-banner", "menu-open").
        guard name != N.html, name != N.body, name != N.main, name != N.article, !kind.contains(.main) else { return kind }
        for value in [attributes["class"], attributes["id"]] {
            guard let value else { continue }
            // A class attribute longer than this is not a theme's.
            for word in value.utf8.prefix(2048).split(whereSeparator: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
                kind.formUnion(self.kind(ofName: String(decoding: word.map { DateReader.isLetter($0) ? $0 | 0x20 : $0 }, as: UTF8.self)))
            }
        }
        return kind
    }

    /// Class names of text only screen readers get.
    static let screenReaderOnly: Set<String> = [
        "sr-only", "screen-reader-text", "screen-reader-only", "visually-hidden", "visuallyhidden", "govuk-visually-hidden",
        "nhsuk-u-visually-hidden", "u-visually-hidden", "element-invisible", "show-for-sr", "offscreen", "sr-text",
    ]

    /// Parts of class names (anywhere in the name) that mark consent banners, breadcrumbs,
    /// skip links, share widgets and site-wide alerts.
    static let furnitureParts = [
        "cookie", "consent", "gdpr", "onetrust", "cookiebot", "osano", "qc-cmp", "cc-window", "cc-banner", "breadcrumb",
        "skip-link", "skiplink", "skip-to", "megamenu", "mega-menu", "sharethis", "addtoany", "a2a_kit", "social-share",
        "share-buttons", "alert-banner", "site-alert", "relatedposts",
    ]

    /// Whole words of class names (between hyphens or underscores) that mark menus and the like.
    static let furnitureWords: Set<String> = [
        "nav", "navbar", "navigation", "menu", "menus", "share", "sharing", "skip", "logo", "branding", "masthead", "related",
    ]

    static func kind(ofName name: String) -> ElementKind {
        if screenReaderOnly.contains(name) { return .quiet }
        if name == "ccc" || name.hasPrefix("sidebar-") || name.hasPrefix("sidebar_") || name == "sidebar" { return .furnitureByName }
        if furnitureParts.contains(where: { name.contains($0) }) { return .furnitureByName }
        if name.split(whereSeparator: { $0 == "-" || $0 == "_" }).contains(where: { furnitureWords.contains(String($0)) }) {
            return .furnitureByName
        }
        return []
    }

    static func hidesByStyle(_ style: String?) -> Bool {
        guard let style else { return false }
        let compact = String(decoding: style.utf8.prefix(1024).filter { $0 != 0x20 && $0 != 0x09 }.map { DateReader.isLetter($0) ? $0 | 0x20 : $0 }, as: UTF8.self)
        return compact.contains("display:none") || compact.contains("visibility:hidden")
    }
}
