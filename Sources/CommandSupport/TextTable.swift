/// Columns aligned for people; long values are cut with an ellipsis.
public struct TextTable {
    public var headers: [String]
    public var maxWidths: [Int]
    public private(set) var rows: [[String]] = []

    public init(headers: [String], maxWidths: [Int]? = nil) {
        self.headers = headers
        self.maxWidths = maxWidths ?? Array(repeating: 60, count: headers.count)
    }

    /// Cells are shown with control characters escaped: a file name or title holding an
    /// escape sequence must not reach the terminal.
    public mutating func append(_ row: [String]) {
        rows.append(row.map(\.escapingControlCharacters))
    }

    public func render() -> String {
        var widths = headers.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = min(max(widths[index], cell.count), maxWidths[index]) }
        }
        var out = ""
        for row in [headers] + rows {
            let cells = row.enumerated().map { index, cell in
                let text = cell.count > widths[index] ? String(cell.prefix(widths[index] - 1)) + "…" : cell
                return index == row.count - 1 ? text : text + String(repeating: " ", count: widths[index] - text.count)
            }
            out += cells.joined(separator: "  ") + "\n"
        }
        return out
    }
}
