/// Wraps prose for plain-text emails: lines of at most `width` characters, broken at
/// spaces; a word longer than the width (a URL) gets a line of its own.
enum TextWrap {
    static func wrap(_ text: String, width: Int = 72) -> String {
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            for word in paragraph.split(separator: " ") {
                if line.isEmpty {
                    line = String(word)
                } else if line.count + 1 + word.count > width {
                    lines.append(line)
                    line = String(word)
                } else {
                    line += " " + word
                }
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}
