import Foundation
import NewsletterCore

/// The site as content scanning needs it: a content folder that exists and can be read,
/// the blog's folder inside it, the public address, and how dates and files are read.
public struct ContentSite: Sendable {
    /// The content folder, absolute and with symlinks resolved.
    public let root: String
    /// The blog's folder relative to `root`, without a trailing slash.
    public let blogDir: String
    /// The public address, without a trailing slash.
    public let baseURL: String
    public let dateOrder: SiteSettings.DateOrder
    public let content: ContentSettings

    /// Checks the config for content watching: `site.content_dir` and `site.base_url` must
    /// be set and the folder must be readable. Anything wrong is a config error (exit 78).
    public init(settings: Settings) throws {
        guard let folder = settings.site.contentDir else {
            throw NewsletterError.config(
                "config \(settings.file): site.content_dir is not set; content watching needs the folder of the site's pages")
        }
        guard let base = settings.site.baseURL else {
            throw NewsletterError.config(
                "config \(settings.file): site.base_url is not set; content watching needs it to give each page its address")
        }
        try self.init(
            root: folder, baseURL: base.absoluteString, blogDir: settings.site.blogDir, dateOrder: settings.site.dateOrder,
            content: settings.content, configFile: settings.file)
    }

    /// A site from its parts (tests, tools); the folder is checked the same way.
    public init(
        root: String, baseURL: String, blogDir: String = "blog", dateOrder: SiteSettings.DateOrder = .dmy,
        content: ContentSettings = ContentSettings(), configFile: String? = nil
    ) throws {
        self.root = try Self.checkFolder(root, configFile: configFile)
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.blogDir = blogDir.split(separator: "/").filter { !$0.isEmpty && $0 != "." }.joined(separator: "/")
        self.dateOrder = dateOrder
        self.content = content
    }

    /// The folder, resolved, if it exists and can be listed; a config error otherwise.
    public static func checkFolder(_ path: String, configFile: String? = nil) throws -> String {
        let place = configFile.map { "config \($0): " } ?? ""
        var info = stat()
        guard stat(path, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            throw NewsletterError.config("\(place)site.content_dir \(path) cannot be used: \(reason); create it or correct the path")
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw NewsletterError.config("\(place)site.content_dir \(path) is not a folder; give the folder of the site's pages")
        }
        guard access(path, R_OK | X_OK) == 0 else {
            throw NewsletterError.config(
                "\(place)site.content_dir \(path) cannot be read by user \(UnixUser.current): \(String(cString: strerror(errno))); "
                    + "fix its permissions or run as the service's user")
        }
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// What reads dates for this site.
    public var dateReader: DateReader { DateReader(order: dateOrder) }
}
