/// Bounds that keep a hostile or broken document from costing unbounded memory or time.
struct WebDocumentLimits: Equatable, Sendable {
    /// Largest document accepted, measured after any gzip decompression.
    /// 50 MB is the sitemaps.org ceiling for one uncompressed sitemap file.
    var maxBytes: Int = 50_000_000
    /// Most entries kept from one document; the rest are dropped with a warning.
    /// 50,000 is the sitemaps.org ceiling for URLs in one sitemap file.
    var maxEntries: Int = 50_000
    /// Most bytes (UTF-8) kept from any one text field; longer text is cut with a warning.
    var maxFieldBytes: Int = 65_536

    init(maxBytes: Int = 50_000_000, maxEntries: Int = 50_000, maxFieldBytes: Int = 65_536) {
        self.maxBytes = maxBytes
        self.maxEntries = maxEntries
        self.maxFieldBytes = maxFieldBytes
    }

    /// Feeds normally carry 10–50 items; a thousand is generous and still keeps a
    /// feed that lists an entire archive from dominating a run.
    static let feed = WebDocumentLimits(maxEntries: 1_000)
}
