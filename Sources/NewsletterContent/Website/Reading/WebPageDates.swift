/// Dates a page gives as data rather than prose: `<meta>` contents and JSON-LD values.
enum WebPageDates {
    /// The `<meta>` names for the marker, in order of preference: the file reader's, and
    /// `og:updated_time`, which WordPress SEO plugins print beside or instead of
    /// `article:modified_time`.
    static let modifiedMeta = HTMLPage.markerMeta + ["og:updated_time"]
    static let publishedMeta = "article:published_time"

    /// A date, or why the value is not one.
    static func read(_ value: String, reader: DateReader) -> (date: MarkerDate?, problem: String?) {
        let text = TextCleanup.collapse(value)
        guard !text.isEmpty else { return (nil, "it is empty") }
        // Longer than any date with a time and a zone: not worth reading.
        guard text.utf8.count <= 64 else { return (nil, "it is not a date this program can read") }
        switch reader.read(text) {
        case .date(let date, _)?:
            return (date, nil)
        case .impossible(let shown, _)?:
            return (nil, "\(shown.quotedText) is not a real date")
        case nil:
            if let date = withTime(text, reader: reader) { return (date, nil) }
            return (nil, "it is not a date this program can read")
        }
    }

    /// A named-month date with a time after it, as HTTP and `<meta http-equiv="last-modified">`
    /// write them: "Tue, 12 Mar 2024 09:30:00 GMT". The date reader takes a time only after an
    /// ISO date.
    static func withTime(_ text: String, reader: DateReader) -> MarkerDate? {
        let bytes = Array(text.utf8)
        guard case .date(let date, let length)? = reader.read(prefixOf: bytes[...]), !date.hasTime else { return nil }
        var cursor = DateReader.Cursor(bytes: bytes[length...])
        guard let time = cursor.isoTime() else { return nil }
        cursor.spaces()
        guard cursor.peek == nil else { return nil }
        var seconds = date.dayNumber * 86400 + time.seconds - time.offset
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        seconds -= days * 86400
        let (year, month, day) = MarkerDate.civil(fromDays: days)
        return MarkerDate(year: year, month: month, day: day, secondsIntoDay: seconds)
    }

    /// The warning for a value that gave no date, worded as the file reader words it.
    static func warning(_ value: String, field: String, problem: String) -> String {
        problem.hasSuffix("is not a real date")
            ? "impossible date in \(field): \(problem)"
            : "\(field) \(value.quotedText) is not a date this program can read"
    }
}
