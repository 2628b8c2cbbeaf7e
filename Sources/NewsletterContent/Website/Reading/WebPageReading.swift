/// What one fetched page says about itself, and how the reader came to it.
package struct WebPageReading: Sendable, Equatable {
    package var title: String?
    package var summary: String?
    /// The "last updated" marker: the visible phrase, else a `<meta>` date, else JSON-LD.
    package var lastUpdated: MarkerDate?
    /// Where `lastUpdated` came from: `visible text "Last updated: 5 May 2022"`,
    /// `meta article:modified_time` or `JSON-LD dateModified`.
    package var lastUpdatedSource: String?
    /// Every date the marker could have come from, in the order they were considered, so
    /// that staff can see why a page did or did not count.
    package var candidates: [DateCandidate] = []
    /// A post's publication date (`article:published_time`, JSON-LD `datePublished`).
    package var published: MarkerDate?
    /// `<link rel="canonical">`, resolved against the page's address.
    package var canonicalURL: String?
    /// `<html lang>`.
    package var language: String?
    /// Why this is not a page at all, when it is an error or login page served with 200: a
    /// page like that must not replace what the real page said.
    package var notAPage: String?
    /// The robots meta tag asks search engines not to index the page.
    package var noindex = false
    /// Problems met while reading, each one sentence; the page is still used.
    package var warnings: [String] = []

    package init() {}
}

/// One place a page's "last updated" date could come from.
package struct DateCandidate: Sendable, Equatable {
    /// `visible text in the main content`, `meta dcterms.modified`, `JSON-LD dateModified (WebPage)`.
    package var source: String
    /// As the page wrote it: the phrase, or the attribute or JSON value.
    package var text: String
    package var date: MarkerDate?
    /// Why `text` gave no date.
    package var problem: String?
    /// Whether this one became the page's marker.
    package var chosen = false

    package init(source: String, text: String, date: MarkerDate?, problem: String?, chosen: Bool = false) {
        self.source = source
        self.text = text
        self.date = date
        self.problem = problem
        self.chosen = chosen
    }
}
