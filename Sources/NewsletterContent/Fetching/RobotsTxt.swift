import Foundation

/// A robots.txt file (RFC 9309) reduced to what one crawler needs: the rules of the group
/// that applies to our product token, its crawl-delay, and the file's sitemaps.
///
/// Parsing and matching work on bytes rather than `String`, because robots.txt files in the
/// wild are not reliably UTF-8 and we must never trap or silently drop a rule on bad input.
struct RobotsTxt: Sendable, Equatable {
    /// What a missing robots.txt means (RFC 9309 2.3.1.3): no restrictions.
    static let allowAll = RobotsTxt(rules: [], crawlDelay: nil, sitemaps: [])

    /// What an unreachable robots.txt means (RFC 9309 2.3.1.4): assume complete disallow.
    static let disallowAll = RobotsTxt(
        rules: [Rule(allow: false, pattern: Pattern(normalizedValue: Array("/".utf8)))],
        crawlDelay: nil,
        sitemaps: []
    )

    /// RFC 9309 2.5 requires parsing at least 500 KiB; more than that is not worth the memory
    /// for a file served by a small organisation's website.
    static let maxParsedBytes = 500 * 1024

    /// Beyond this, a file listing sitemaps is more likely broken or hostile than helpful.
    static let maxSitemaps = 100

    /// sitemaps.org caps URLs at 2,048 characters; longer ones are junk.
    static let maxSitemapLength = 2048

    /// Crawl-delay values above this would stall a newsletter run for little politeness gain.
    static let maxCrawlDelay = 60.0

    /// Rules of the selected group, in file order (order does not affect the outcome: the
    /// longest match wins, so it only keeps equality deterministic).
    private var rules: [Rule]

    /// Crawl-delay for the matched group, if given (non-standard but widely used), clamped to 0...60 seconds.
    var crawlDelay: Double?

    /// Sitemap: lines (absolute URLs), in order, max 100.
    var sitemaps: [String]

    private init(rules: [Rule], crawlDelay: Double?, sitemaps: [String]) {
        self.rules = rules
        self.crawlDelay = crawlDelay
        self.sitemaps = sitemaps
    }

    /// Parses the file for the user-agent product token `agent` (e.g. "carers-newsletter"), per RFC 9309.
    init(_ bytes: [UInt8], agent: String) {
        var parser = Parser(ourToken: Self.productToken(agent.utf8))
        parser.parse(bytes)
        // A group naming us replaces `*` entirely, even if it has no rules (RFC 9309 2.2.1):
        // the site owner has written something specifically for us.
        if parser.sawOurAgent {
            self.init(rules: parser.ourRules, crawlDelay: parser.ourDelay, sitemaps: parser.sitemaps)
        } else {
            self.init(rules: parser.starRules, crawlDelay: parser.starDelay, sitemaps: parser.sitemaps)
        }
    }

    /// How robots.txt answers map to policy (RFC 9309 section 2.3.1): 2xx parse; 4xx (incl. 404)
    /// allow all; 5xx or unreachable disallow all (caller decides when to retry).
    ///
    /// Pass `status` <= 0 (or any non-HTTP value) for "unreachable".
    static func forStatus(_ status: Int, body: [UInt8], agent: String) -> RobotsTxt {
        switch status {
        case 200...299:
            return RobotsTxt(body, agent: agent)
        case 429:
            // "Too Many Requests" is the server asking us to back off, not saying the file is
            // absent; treating it as allow-all would hammer a site that is already struggling
            // (Google treats it like 5xx for the same reason).
            return .disallowAll
        case 300...399:
            // Reaching us still as a redirect means the caller gave up following it; RFC 9309
            // 2.3.1.2 lets crawlers then treat the file as unavailable, which is allow-all.
            return .allowAll
        case 400...499:
            return .allowAll
        default:
            return .disallowAll
        }
    }

    /// Whether `path` (path plus query, percent-encoded as in the URL, starting "/") may be fetched.
    func allows(_ path: String) -> Bool {
        var target = Self.normalize(Array(path.utf8))
        // Callers occasionally pass "" for the site root or forget the slash; rules are written
        // against root-relative paths, so compare against the path the server would see.
        if target.first != UInt8(ascii: "/") {
            target.insert(UInt8(ascii: "/"), at: 0)
        }
        // RFC 9309 2.2.2: a crawler must always be able to re-read the rules themselves.
        if target == Self.robotsPath {
            return true
        }
        var bestLength = -1
        var bestAllows = true
        for rule in rules where rule.pattern.specificity >= bestLength {
            // A strictly shorter match can never win, and an equal one only matters when it
            // would flip a disallow to allow (ties go to Allow), so skip the match work otherwise.
            if rule.pattern.specificity == bestLength && (bestAllows || !rule.allow) {
                continue
            }
            if rule.pattern.matches(target) {
                bestLength = rule.pattern.specificity
                bestAllows = rule.allow
            }
        }
        return bestAllows
    }

    private static let robotsPath: [UInt8] = Array("/robots.txt".utf8)
}

// MARK: - Rules and matching

extension RobotsTxt {
    struct Rule: Sendable, Equatable {
        var allow: Bool
        var pattern: Pattern
    }

    /// A path pattern split at its `*` wildcards, so matching can be done greedily segment by
    /// segment in linear time instead of by backtracking, which is exponential (or at best
    /// quadratic) on hostile patterns such as thousands of stars against a long URL.
    struct Pattern: Sendable, Equatable {
        /// Literal bytes before the first `*`: must be a prefix of the path.
        var head: [UInt8]
        /// Non-empty literal runs between wildcards (runs of `**` collapse away).
        var middle: [[UInt8]]
        /// Literal bytes after the last `*`, or nil when the pattern has no wildcard.
        var tail: [UInt8]?
        /// A trailing `$`: the pattern must consume the whole path.
        var anchored: Bool
        /// RFC 9309 2.2.2: "the most specific match is the match that has the most octets";
        /// counted on the normalised pattern including `*` and `$`, as Google's parser does.
        var specificity: Int

        /// `value` is the normalised pattern; a final `$` marks the end anchor.
        init(normalizedValue value: [UInt8]) {
            var bytes = value
            specificity = bytes.count
            anchored = bytes.last == UInt8(ascii: "$")
            if anchored {
                bytes.removeLast()
            }
            let parts = bytes.split(separator: UInt8(ascii: "*"), omittingEmptySubsequences: false)
            head = parts.first.map(Array.init) ?? []
            if parts.count > 1, let last = parts.last {
                tail = Array(last)
                middle = parts.dropFirst().dropLast().filter { !$0.isEmpty }.map(Array.init)
            } else {
                tail = nil
                middle = []
            }
        }

        func matches(_ path: [UInt8]) -> Bool {
            guard path.count >= head.count, path.starts(with: head) else {
                return false
            }
            guard let tail else {
                return anchored ? path.count == head.count : true
            }
            // Leftmost placement of each literal run leaves the most room for the rest, so if
            // any assignment of the wildcards works, the greedy one does.
            var position = head.count
            for run in middle {
                guard let end = Self.find(run, in: path, from: position) else {
                    return false
                }
                position = end
            }
            if anchored {
                let tailStart = path.count - tail.count
                return tailStart >= position && path[tailStart...].elementsEqual(tail)
            }
            return tail.isEmpty || Self.find(tail, in: path, from: position) != nil
        }

        /// Knuth–Morris–Pratt, so each search costs O(needle + scanned text) and the scans of
        /// successive runs never overlap: the whole match is linear in pattern plus path.
        /// Returns the index just past the first occurrence at or after `start`.
        private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
            guard !needle.isEmpty else {
                return start
            }
            guard start >= 0, haystack.count - start >= needle.count else {
                return nil
            }
            var failure = [Int](repeating: 0, count: needle.count)
            var k = 0
            var i = 1
            while i < needle.count {
                while k > 0 && needle[i] != needle[k] {
                    k = failure[k - 1]
                }
                if needle[i] == needle[k] {
                    k += 1
                }
                failure[i] = k
                i += 1
            }
            var matched = 0
            var j = start
            while j < haystack.count {
                while matched > 0 && haystack[j] != needle[matched] {
                    matched = failure[matched - 1]
                }
                if haystack[j] == needle[matched] {
                    matched += 1
                    if matched == needle.count {
                        return j + 1
                    }
                }
                j += 1
            }
            return nil
        }
    }
}

// MARK: - Normalisation

extension RobotsTxt {
    /// Puts a path or pattern into one canonical percent-encoded form so that equal URLs compare
    /// equal however they were written (RFC 9309 2.2.2): `%7E` and `~` are the same, `%e3` and
    /// `%E3` are the same, but `%2F` stays distinct from `/` because decoding a reserved
    /// character would change which path segment it belongs to. Pattern wildcards `*` and `$`
    /// are reserved characters, so they pass through untouched.
    static func normalize(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            if byte == UInt8(ascii: "%") {
                if i + 2 < bytes.count, let high = hexValue(bytes[i + 1]), let low = hexValue(bytes[i + 2]) {
                    let decoded = high << 4 | low
                    if isUnreserved(decoded) {
                        out.append(decoded)
                    } else {
                        appendEscaped(decoded, to: &out)
                    }
                    i += 3
                } else {
                    // A bare `%` cannot appear in a valid URL; the client will have sent `%25`.
                    appendEscaped(byte, to: &out)
                    i += 1
                }
                continue
            }
            if isUnreserved(byte) || isReserved(byte) {
                out.append(byte)
            } else {
                // Non-ASCII (e.g. UTF-8 written raw in the file), spaces, controls and the
                // characters URLs may not contain are what a client would percent-encode.
                appendEscaped(byte, to: &out)
            }
            i += 1
        }
        return out
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    private static func appendEscaped(_ byte: UInt8, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "%"))
        out.append(hexDigits[Int(byte >> 4)])
        out.append(hexDigits[Int(byte & 0x0F)])
    }

    /// RFC 3986 unreserved: ALPHA / DIGIT / "-" / "." / "_" / "~".
    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// RFC 3986 gen-delims and sub-delims.
    private static func isReserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: ":"), UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: "#"),
            UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "@"),
            UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"),
            UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"),
            UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="):
            return true
        default:
            return false
        }
    }

    /// The product token is the leading run of letters, `-` and `_` (RFC 9309 2.2.1), so
    /// "carers-newsletter/1.2 (+https://…)" and "Carers-Newsletter" name the same crawler.
    /// Digits are accepted too because real bots (e.g. "360Spider") use them and site owners
    /// write them; otherwise such lines would collapse to an empty token.
    static func productToken<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var token: [UInt8] = []
        for byte in bytes.drop(while: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                token.append(byte + 32)
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"):
                token.append(byte)
            default:
                return String(decoding: token, as: UTF8.self)
            }
        }
        return String(decoding: token, as: UTF8.self)
    }
}

// MARK: - Parsing

extension RobotsTxt {
    private struct Parser {
        let ourToken: String

        var sawOurAgent = false
        var ourRules: [Rule] = []
        var starRules: [Rule] = []
        var ourDelay: Double?
        var starDelay: Double?
        var sitemaps: [String] = []

        // The group being read: which of "us" and "*" its user-agent lines named, and whether
        // a rule has been seen, since the next user-agent line after a rule starts a new group
        // while consecutive user-agent lines share one.
        private var groupIsOurs = false
        private var groupIsStar = false
        private var groupHasRules = false
        private var inGroup = false

        init(ourToken: String) {
            self.ourToken = ourToken
        }

        mutating func parse(_ bytes: [UInt8]) {
            let limit = min(bytes.count, RobotsTxt.maxParsedBytes)
            let truncated = bytes.count > limit
            var start = 0
            // A UTF-8 BOM would otherwise become part of the first directive's name.
            if limit >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF {
                start = 3
            }
            while start < limit {
                var end = start
                while end < limit && bytes[end] != 0x0A && bytes[end] != 0x0D {
                    end += 1
                }
                // A line cut by the size limit may be a shortened path that would allow or
                // disallow the wrong URLs; dropping it is safer than guessing.
                if end == limit && truncated && bytes[limit] != 0x0A && bytes[limit] != 0x0D {
                    break
                }
                handleLine(bytes[start..<end])
                if end < limit && bytes[end] == 0x0D {
                    end += 1
                    if end < limit && bytes[end] == 0x0A {
                        end += 1
                    }
                } else if end < limit {
                    end += 1
                }
                start = end
            }
        }

        private mutating func handleLine(_ rawLine: ArraySlice<UInt8>) {
            var line = rawLine
            if let hash = line.firstIndex(of: UInt8(ascii: "#")) {
                line = line[line.startIndex..<hash]
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
                return
            }
            let key = String(decoding: trim(line[line.startIndex..<colon]), as: UTF8.self).lowercased()
            let value = trim(line[(colon + 1)...])
            switch key {
            case "user-agent":
                handleUserAgent(value)
            case "allow":
                handleRule(value, allow: true)
            case "disallow":
                handleRule(value, allow: false)
            case "crawl-delay":
                handleCrawlDelay(value)
            case "sitemap":
                handleSitemap(value)
            default:
                // Unknown directives (Host, Clean-param, typos) neither end nor start a group,
                // matching RFC 9309 2.2.4's "may be ignored".
                break
            }
        }

        private mutating func handleUserAgent(_ value: ArraySlice<UInt8>) {
            if groupHasRules || !inGroup {
                groupIsOurs = false
                groupIsStar = false
                groupHasRules = false
                inGroup = true
            }
            if value.first == UInt8(ascii: "*")
                && (value.count == 1 || value.dropFirst().first == UInt8(ascii: " ")
                    || value.dropFirst().first == UInt8(ascii: "\t"))
            {
                groupIsStar = true
                return
            }
            let token = RobotsTxt.productToken(value)
            if !ourToken.isEmpty && token == ourToken {
                groupIsOurs = true
                sawOurAgent = true
            }
        }

        private mutating func handleRule(_ value: ArraySlice<UInt8>, allow: Bool) {
            // Rules before any user-agent line belong to no group (RFC 9309 2.2.1).
            guard inGroup else { return }
            groupHasRules = true
            guard groupIsOurs || groupIsStar else { return }
            var normalized = RobotsTxt.normalize(Array(value))
            // An empty value (and a lone "$", which anchors nothing) restricts nothing:
            // "Disallow:" is the conventional way to allow everything.
            guard !normalized.isEmpty, normalized != [UInt8(ascii: "$")] else { return }
            // Authors who write "Disallow: private" mean the root-relative path; left alone it
            // could never match, since every path starts with "/".
            if normalized[0] != UInt8(ascii: "/") && normalized[0] != UInt8(ascii: "*") {
                normalized.insert(UInt8(ascii: "/"), at: 0)
            }
            let rule = Rule(allow: allow, pattern: Pattern(normalizedValue: normalized))
            if groupIsOurs { ourRules.append(rule) }
            if groupIsStar { starRules.append(rule) }
        }

        private mutating func handleCrawlDelay(_ value: ArraySlice<UInt8>) {
            guard inGroup else { return }
            groupHasRules = true
            guard groupIsOurs || groupIsStar,
                let parsed = Double(String(decoding: value, as: UTF8.self)), !parsed.isNaN
            else { return }
            let delay = min(max(parsed, 0), RobotsTxt.maxCrawlDelay)
            // When merged groups disagree, the slower pace is the polite reading.
            if groupIsOurs { ourDelay = max(ourDelay ?? delay, delay) }
            if groupIsStar { starDelay = max(starDelay ?? delay, delay) }
        }

        private mutating func handleSitemap(_ value: ArraySlice<UInt8>) {
            // Sitemaps are file-wide, not per group, so they are collected whatever group we are in.
            guard sitemaps.count < RobotsTxt.maxSitemaps,
                value.count <= RobotsTxt.maxSitemapLength,
                !value.contains(where: { $0 <= 0x20 || $0 == 0x7F })
            else { return }
            let url = String(decoding: value, as: UTF8.self)
            let lower = url.lowercased()
            // Only absolute http(s) URLs are useful to fetch; relative ones are invalid per
            // sitemaps.org and other schemes are not something we should follow.
            guard (lower.hasPrefix("http://") && lower.count > 7) || (lower.hasPrefix("https://") && lower.count > 8),
                !sitemaps.contains(url)
            else { return }
            sitemaps.append(url)
        }

        private func trim(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
            var slice = bytes
            while let first = slice.first, first == 0x20 || first == 0x09 {
                slice = slice.dropFirst()
            }
            while let last = slice.last, last == 0x20 || last == 0x09 {
                slice = slice.dropLast()
            }
            return slice
        }
    }
}
