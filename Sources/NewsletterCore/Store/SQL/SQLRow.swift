/// One row of a result, its columns read by position or by name.
package struct SQLRow: Sendable {
    package let values: [SQLValue]
    package let columns: [String]

    package init(values: [SQLValue], columns: [String]) {
        self.values = values
        self.columns = columns
    }

    package subscript<T: SQLReadable>(_ index: Int) -> T {
        Self.read(values[index], column: columns.indices.contains(index) ? columns[index] : "#\(index)")
    }

    package subscript<T: SQLReadable>(_ name: String) -> T {
        guard let index = columns.firstIndex(of: name) else {
            preconditionFailure("the store's SQL reads a column '\(name)' its query does not select")
        }
        return Self.read(values[index], column: name)
    }

    private static func read<T: SQLReadable>(_ value: SQLValue, column: String) -> T {
        guard let result = T(sqlValue: value) else {
            // As GRDB does: a stored value of the wrong type is a damaged database or a bug
            // in the store's SQL, not something a caller can act on.
            preconditionFailure("column \(column) holds \(value), which is not a \(T.self)")
        }
        return result
    }
}
