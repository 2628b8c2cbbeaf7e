/// What a fetch asks for: the address, and the validators from the last answer so that an
/// unchanged page costs a 304.
package struct HTTPRequest: Sendable, Equatable {
    package var url: String
    package var etag: String?
    package var lastModified: String?

    package init(url: String, etag: String? = nil, lastModified: String? = nil) {
        self.url = url
        self.etag = etag
        self.lastModified = lastModified
    }
}

/// A final answer (after redirects): 2xx with its body, or 304.
package struct HTTPResponse: Sendable, Equatable {
    package var status: Int
    /// Where the redirects ended.
    package var url: String
    /// The body, decompressed from its transfer encoding (empty for a 304).
    package var body: [UInt8]
    package var etag: String?
    package var lastModified: String?
    /// The media type, lower-cased and without parameters (`text/html`).
    package var contentType: String?
    /// The `charset` parameter, if any.
    package var charset: String?

    package var notModified: Bool { status == 304 }

    package init(
        status: Int, url: String, body: [UInt8] = [], etag: String? = nil, lastModified: String? = nil, contentType: String? = nil,
        charset: String? = nil
    ) {
        self.status = status
        self.url = url
        self.body = body
        self.etag = etag
        self.lastModified = lastModified
        self.contentType = contentType
        self.charset = charset
    }
}

/// How fetches behave; the defaults suit a small organisation's CMS.
package struct HTTPFetchOptions: Sendable, Equatable {
    package var userAgent: String
    package var connectTimeoutMilliseconds = 10_000
    package var totalTimeoutMilliseconds = 30_000
    /// The largest body accepted, after decompression.
    package var maxBodyBytes = 10 * 1024 * 1024
    package var maxRedirects = 5
    /// A file of trusted certificates instead of the system's (tests, private CAs).
    package var caFile: String?

    package init(userAgent: String) {
        self.userAgent = userAgent
    }
}
