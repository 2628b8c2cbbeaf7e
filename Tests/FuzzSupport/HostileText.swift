/// Text made to break things: line breaks and NULs for header and SMTP injection, terminal
/// escapes, Unicode that looks like spaces or line breaks, the renderer's own placeholder
/// characters, encoded-word look-alikes, YAML, CSV and HTML syntax, date fragments, huge and
/// negative numbers, long runs without a space, and ordinary words and letters between them.
public enum HostileText {
    /// Pieces that are hostile somewhere.
    public static let hostile: [String] = [
        "\r\n", "\n", "\r", "\0", "\r\n.\r\n", "\r\nBcc: victim@example.org", "\nSubject: injected", "\r\nRCPT TO:<victim@example.org>",
        "\r\n\r\n<html>", "\u{1B}[31m", "\u{1B}]0;title\u{7}", "\u{1B}[2J", "\u{7F}", "\u{85}", "\u{9B}", "\u{2028}", "\u{2029}",
        "\u{FEFF}", "\u{200B}", "\u{200D}", "\u{202E}", "\u{A0}", "\u{3000}", "\t", "\u{B}", "\u{C}", "\u{E000}", "\u{E001}",
        "\u{E000}1\u{E001}", "\u{E000}3\u{E001}", "\u{E000}9\u{E001}", "=?utf-8?B?PHNjcmlwdD4=?=", "=?", "?=", "=", "=3D", "=0D=0A",
        "<", ">", "\"", "'", "\\", ",", ";", ":", "@", "@@", ".", "..", "-", "_", "(", ")", "[", "]", "%", "%0d%0a", "&", "&#x1b;",
        "&#xE000;", "&#13;&#10;", "&nbsp;", "&amp", "<script>", "</p>", "<p>", "<!--", "-->", "<title>", "<h1>", "<meta ", "<a<a", "<!",
        "{{", "}}", "{{title}}", "{{{site.name}}}", "---", "...", "#", "- ", "* ", "&a", "*a", "!!binary", "!!str", "|", ">-", "{", "}",
        "? ", "%YAML 1.1", "~", "null", "yes", "'0", "--", "=cmd|' /C calc'!A0", "+1", "@SUM(1)", "\"\"", "\",\"", "../", "../../etc/passwd",
        "/", "//", "~/", "/dev/null", "C:\\", "-1", "0", "-0", "00", "9999999999999999999999", "18446744073709551616", "2147483648",
        "1e308", "NaN", "inf", "0x10", "1_000", "31/02/2024", "29/02/2023", "05/05/2022", "2024-03-12", "2024-03-12T25:61:61Z",
        "2024-13-01", "0000-00-00", "9999-12-31", "1899-12-31", "5 May 2022", "3rd March 2024", "Sept. 4 2023", "Updated ",
        "Last updated: ", "last reviewed on ", "Tue, 12 Mar 2024", "+14:00", "-99:99", "UTC", "é", "ß", "Ω", "中文", "😀", "👩‍👧",
        "e\u{301}", "İ", "ﬁ", "Å", "\u{FFFD}", "\u{10FFFF}", "\u{1F3F4}\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}",
        "MAIL FROM:<>", "DATA", "QUIT", "From ", "Content-Type: text/html", "boundary=", "--=_carers-newsletter_alternative",
    ]

    /// Ordinary words, so hostile pieces land inside plausible text.
    public static let plain: [String] = [
        "carer", "Advocacy", "support", "news", "example", "org", "a", "b", "x", "Peak District Carers", "respite", "the", "of",
        "update", "Ann", "O'Brien", "Smith", "mental health", "young carers", "blog", " ", "  ", "1", "2024",
    ]

    /// Pieces mixed from both lists, up to `maxPieces`, with an occasional long run.
    public static func string<G: RandomNumberGenerator>(using generator: inout G, maxPieces: Int = 8) -> String {
        var out = ""
        let pieces = Int.random(in: 0...maxPieces, using: &generator)
        for _ in 0..<pieces {
            switch Int.random(in: 0..<20, using: &generator) {
            case 0:
                let unit = (hostile + plain).randomElement(using: &generator)!
                out += String(repeating: unit.isEmpty ? "a" : unit, count: Int.random(in: 2...(unit.count > 3 ? 60 : 1200), using: &generator))
            case 1...9:
                out += hostile.randomElement(using: &generator)!
            default:
                out += plain.randomElement(using: &generator)!
            }
        }
        return out
    }

    /// Bytes: hostile text, sometimes with bytes that are not UTF-8.
    public static func bytes<G: RandomNumberGenerator>(using generator: inout G, maxPieces: Int = 8) -> [UInt8] {
        var out = Array(string(using: &generator, maxPieces: maxPieces).utf8)
        if Int.random(in: 0..<4, using: &generator) == 0 {
            let invalid: [[UInt8]] = [[0xFF], [0xC3], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x80], [0xE2, 0x80]]
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let at = Int.random(in: 0...out.count, using: &generator)
                out.insert(contentsOf: invalid.randomElement(using: &generator)!, at: at)
            }
        }
        return out
    }
}
