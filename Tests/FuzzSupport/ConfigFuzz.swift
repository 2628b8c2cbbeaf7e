import Foundation
import NewsletterCompose
import NewsletterCore

/// The config loader: any text gives settings or one config error line (exit 78).
enum ConfigFuzz {
    static let file = "/fuzz/newsletter.yaml"

    static func check(_ input: [UInt8]) -> [String] {
        // The loader refuses text that is not UTF-8, or holds NUL, before it parses.
        guard let text = String(validating: input, as: UTF8.self), !text.contains("\0") else { return [] }
        do {
            return settings(try Settings.parse(yaml: text, file: file))
        } catch let error as NewsletterError {
            var problems = Safe.message(error.message, "the config error")
            if error.exitStatus != .config { problems.append("exit status \(error.exitStatus) for a bad config: \(error.message)") }
            if !error.message.hasPrefix("config \(file)") { problems.append("the error does not name the file: \(error.message)") }
            return problems
        } catch {
            return ["unexpected error \(error)"]
        }
    }

    /// What loaded settings must be: values that end up in headers are header-safe, paths
    /// hold no NUL (which would cut them short), addresses are plain web addresses.
    static func settings(_ settings: Settings) -> [String] {
        var problems: [String] = []
        if Safe.hasControl(settings.site.name) || settings.site.name.isEmpty {
            problems.append("site.name \(settings.site.name.debugDescription) is not one line of text")
        }
        if (try? HeaderEncoding.phrase(settings.site.name)) == nil { problems.append("site.name cannot go in the List-Id header") }
        for (mailbox, key) in [(settings.mail.from, "mail.from"), (settings.mail.replyTo, "mail.reply_to")] {
            guard let mailbox else { continue }
            problems += AddressFuzz.safe(mailbox.address.value)
            if (try? HeaderEncoding.mailbox(mailbox)) == nil { problems.append("\(key) \(mailbox) cannot go in a header") }
        }
        for (url, key) in [(settings.site.baseURL, "site.base_url"), (settings.http.publicURL, "http.public_url")] {
            guard let url else { continue }
            let text = url.absoluteString
            if text.unicodeScalars.contains(where: { Safe.isControl($0) || $0.properties.isWhitespace || !$0.isASCII }) {
                problems.append("\(key) \(text.debugDescription) holds a space, a control character or a non-ASCII character")
            }
            // Schemes are case-insensitive: "Http://" is fine.
            if !(text.lowercased().hasPrefix("http://") || text.lowercased().hasPrefix("https://")) { problems.append("\(key) \(text.debugDescription) is not http or https") }
        }
        let paths: [(String?, String)] = [
            (settings.database.path, "database.path"), (settings.site.contentDir, "site.content_dir"), (settings.templates.dir, "templates.dir"),
            (settings.mail.maildir, "mail.maildir"), (settings.smtp.caFile, "smtp.ca_file"), (settings.smtp.passwordFile, "smtp.password_file"),
        ]
        for (path, key) in paths {
            guard let path else { continue }
            if path.utf8.contains(0) { problems.append("\(key) \(path.debugDescription) holds a NUL, which cuts the path short") }
            if !path.hasPrefix("/") { problems.append("\(key) \(path.debugDescription) is not absolute") }
        }
        if settings.site.blogDir.split(separator: "/").contains("..") || settings.site.blogDir.hasPrefix("/") {
            problems.append("site.blog_dir \(settings.site.blogDir.debugDescription) leaves the content folder")
        }
        if let helo = settings.smtp.helo, Safe.hasControl(helo) || helo.contains(" ") { problems.append("smtp.helo \(helo.debugDescription) is not a host name") }
        if let username = settings.smtp.username, Safe.hasControl(username) { problems.append("smtp.username \(username.debugDescription) holds a control character") }
        if let url = settings.smtp.url, Safe.hasControl(url.host) || url.host.contains(" ") || url.host.isEmpty {
            problems.append("smtp.url host \(url.host.debugDescription) is not a host name")
        }
        return problems
    }

    /// Keys of every section, with values worth trying.
    static let schema: [(section: String, keys: [(String, [String])])] = [
        ("database", [("path", ["data/n.db", "/var/lib/x.db"]), ("busy_timeout", ["10s", "0.1s", "3600s", "1h"])]),
        ("site", [
            ("name", ["Peak District Carers"]), ("base_url", ["https://carers.example.org", "http://localhost:8080/a"]),
            ("content_dir", ["site"]), ("blog_dir", ["blog", "news/posts"]), ("date_order", ["dmy", "mdy", "ymd"]),
            ("postal_address", ["1 Market Place, Bakewell"]),
        ]),
        ("mail", [
            ("from", ["Carers <news@carers.example.org>", "news@carers.example.org", "\"Carers, Peak\" <n@example.org>"]),
            ("reply_to", ["help@carers.example.org"]), ("transport", ["smtp", "maildir"]), ("maildir", ["Maildir"]),
        ]),
        ("http", [("public_url", ["https://carers.example.org/newsletter"])]),
        ("content", [("fallback", ["none", "hash"]), ("rescan_interval", ["15m"]), ("debounce", ["2s"]), ("max_file_size", ["5MB", "1024", "1GB"])]),
        ("templates", [("dir", ["templates"])]),
        ("digest", [("send_empty", ["false", "yes"])]),
        ("blog", [("window", ["10m", "0"])]),
        ("signup", [("confirmation", ["true"]), ("welcome", ["off"])]),
        ("schedule", [
            ("timezone", ["Europe/London", "UTC", "America/New_York"]), ("daily", ["08:00", "23:59"]), ("weekly", ["monday 08:00"]),
            ("monthly", ["1 08:00", "31 23:00"]), ("blog", ["immediate", "15m"]),
        ]),
        ("smtp", [
            ("url", ["smtp://mail.example.org:587", "smtps://mail.example.org", "smtp://127.0.0.1:2525"]), ("tls", ["starttls", "tls", "none"]),
            ("helo", ["carers.example.org"]), ("ca_file", ["ca.pem"]), ("username", ["news"]), ("password_file", ["secret"]),
            ("connections", ["4", "1", "64"]), ("max_per_second", ["0"]), ("max_per_hour", ["0"]), ("connect_timeout", ["30s"]),
            ("command_timeout", ["2m"]), ("message_timeout", ["10m"]),
        ]),
        ("delivery", [("keep_sent_days", ["7"]), ("max_age", ["3d"]), ("retry_initial", ["1m"]), ("retry_max", ["1h"]), ("bounce_limit", ["3"])]),
    ]

    static func generate<G: RandomNumberGenerator>(using generator: inout G) -> [UInt8] {
        var text = ""
        if Int.random(in: 0..<10, using: &generator) == 0 { text += ["%YAML 1.1\n---\n", "---\n", "# comment\n"].randomElement(using: &generator)! }
        for (section, keys) in schema.shuffled(using: &generator) where Int.random(in: 0..<3, using: &generator) > 0 {
            text += "\(section):\n"
            for (key, values) in keys where Bool.random(using: &generator) {
                var value = values.randomElement(using: &generator)!
                switch Int.random(in: 0..<6, using: &generator) {
                case 0: value = HostileText.string(using: &generator, maxPieces: 4)
                case 1: value += HostileText.string(using: &generator, maxPieces: 2)
                case 2:
                    let offset = Int.random(in: 0...value.count, using: &generator)
                    value.insert(contentsOf: HostileText.string(using: &generator, maxPieces: 1), at: value.index(value.startIndex, offsetBy: offset))
                default: break
                }
                let written = Bool.random(using: &generator) ? YAMLText.quoted(value) : value
                text += "  \(Int.random(in: 0..<30, using: &generator) == 0 ? HostileText.string(using: &generator, maxPieces: 1) : key): \(written)\n"
            }
        }
        switch Int.random(in: 0..<12, using: &generator) {
        case 0: text += "x: &a [" + Array(repeating: "\"lol\"", count: 9).joined(separator: ",") + "]\ny: &b [" + Array(repeating: "*a", count: 9).joined(separator: ",") + "]\n"
        case 1: text += "site:\n  name: " + String(repeating: "[", count: Int.random(in: 1...200, using: &generator)) + "\n"
        case 2: text += "? " + HostileText.string(using: &generator, maxPieces: 3) + "\n: 1\n"
        case 3: text += HostileText.string(using: &generator, maxPieces: 6)
        default: break
        }
        return Array(text.utf8)
    }
}
