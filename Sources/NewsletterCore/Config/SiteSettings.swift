import Foundation

/// `site:`: the website whose content is watched and whose name the emails carry.
public struct SiteSettings: Sendable, Equatable {
    /// How numeric dates such as 05/04/2022 are read.
    public enum DateOrder: String, Sendable, CaseIterable {
        case dmy, mdy, ymd
    }

    public static let maxNameLength = 200

    /// The organisation's name, as emails and pages show it.
    public var name: String
    /// The public address of the site; a page's URL is this plus its path.
    public var baseURL: URL?
    /// Where the site's pages are on disk (absolute); nil when not configured.
    public var contentDir: String?
    /// The blog's folder, relative to `contentDir`.
    public var blogDir: String
    public var dateOrder: DateOrder
    /// The organisation's postal address, shown in every email's footer.
    public var postalAddress: String?
    /// A published website to watch over HTTP instead of (or as well as) a content folder.
    public var website = WebsiteSources()

    public init(
        name: String = "Carers' newsletter", baseURL: URL? = nil, contentDir: String? = nil, blogDir: String = "blog",
        dateOrder: DateOrder = .dmy, postalAddress: String? = nil
    ) {
        self.name = name
        self.baseURL = baseURL
        self.contentDir = contentDir
        self.blogDir = blogDir
        self.dateOrder = dateOrder
        self.postalAddress = postalAddress
    }

    init(_ section: ConfigSection, relativeTo folder: URL) throws {
        self.init()
        if let name = try section.nonEmptyString("name") {
            self.name = try section.singleLine("name", name)
            // It heads every email and its List-Id: a page of text is a mistake.
            guard name.count <= Self.maxNameLength else {
                throw section.failure("name", expected: "a name of at most \(Self.maxNameLength) characters", found: "\(name.count) characters")
            }
        }
        baseURL = try section.webURL("base_url")
        contentDir = try section.path("content_dir", expected: "the path of the site's content folder")
            .map { ConfigPath.resolve($0, relativeTo: folder) }
        if let blog = try section.nonEmptyString("blog_dir", expected: "a folder inside content_dir") {
            guard !blog.hasPrefix("/"), !blog.split(separator: "/").contains("..") else {
                throw section.failure("blog_dir", expected: "a folder inside content_dir", found: blog.quotedForDisplay)
            }
            blogDir = blog
        }
        dateOrder = try section.choice("date_order") ?? .dmy
        postalAddress = try section.nonEmptyString("postal_address")
        website = try WebsiteSources(section)
        try section.finish()
    }
}

/// `mail:`: who the emails come from and how they leave.
public struct MailSettings: Sendable, Equatable {
    public enum Transport: String, Sendable, CaseIterable {
        /// SMTP through libcurl: the real thing.
        case smtp
        /// Standard Maildir files, for the demo and for dry runs.
        case maildir
    }

    /// The From header and envelope sender; required before anything is sent.
    public var from: Mailbox?
    public var replyTo: Mailbox?
    public var transport: Transport
    /// The Maildir folder (absolute) when `transport` is maildir.
    public var maildir: String?

    public init(from: Mailbox? = nil, replyTo: Mailbox? = nil, transport: Transport = .smtp, maildir: String? = nil) {
        self.from = from
        self.replyTo = replyTo
        self.transport = transport
        self.maildir = maildir
    }

    init(_ section: ConfigSection, relativeTo folder: URL) throws {
        self.init()
        from = try section.mailbox("from")
        replyTo = try section.mailbox("reply_to")
        transport = try section.choice("transport") ?? .smtp
        maildir = try section.path("maildir", expected: "the path of a Maildir folder").map { ConfigPath.resolve($0, relativeTo: folder) }
        if transport == .maildir && maildir == nil {
            throw section.failure("maildir", "must be set when mail.transport is maildir")
        }
        try section.finish()
    }
}

extension ConfigSection {
    static let maxURLLength = 500

    /// An absolute http or https URL, without a trailing slash.
    func webURL(_ key: String) throws -> URL? {
        guard let text = try nonEmptyString(key, expected: "an http or https address") else { return nil }
        var trimmed = text.trimmingSpaces
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        // URL(string:) would percent-encode a space or a line break rather than refuse it.
        guard !trimmed.hasLineBreakOrControl, !trimmed.unicodeScalars.contains(where: \.properties.isWhitespace) else {
            throw failure(key, expected: "an http or https address without spaces or line breaks", found: text.quotedForDisplay)
        }
        guard let url = URL(string: trimmed), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty, url.query == nil, url.fragment == nil
        else {
            throw failure(key, expected: "an http or https address such as https://carers.example.org", found: text.quotedForDisplay)
        }
        // Links go in the List-Unsubscribe header, which must stay under 998 octets; count
        // the address as written there, with any non-ASCII letters percent-encoded.
        guard url.absoluteString.utf8.count <= Self.maxURLLength else {
            throw failure(
                key, expected: "an address of at most \(Self.maxURLLength) characters", found: "\(url.absoluteString.utf8.count) characters")
        }
        return url
    }

    /// `Name <address>` or a bare address.
    func mailbox(_ key: String) throws -> Mailbox? {
        guard let text = try nonEmptyString(key, expected: "an address such as \"Carers News <news@carers.example.org>\"") else { return nil }
        do {
            return try Mailbox(parsing: text)
        } catch let error as NewsletterError {
            throw failure(key, error.message)
        }
    }

    func singleLine(_ key: String, _ value: String) throws -> String {
        if value.hasLineBreakOrControl {
            throw failure(key, expected: "one line of text", found: value.quotedForDisplay)
        }
        return value
    }
}
