import Foundation

/// A value as both backends store it. The store keeps to types SQLite and PostgreSQL share:
/// integers (booleans as 0 and 1), reals, text (dates as ``StoredDate`` text, lists as JSON
/// text) and bytes.
package enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

/// What can be bound to a statement's `?`.
package protocol SQLBindable {
    var sqlValue: SQLValue { get }
}

/// What a column can be read as. A mismatch (text read as an integer, say) is a damaged
/// database or a bug in the store's SQL, never a user's mistake.
package protocol SQLReadable {
    init?(sqlValue: SQLValue)
}

extension Int64: SQLBindable, SQLReadable {
    package var sqlValue: SQLValue { .integer(self) }
    package init?(sqlValue: SQLValue) {
        switch sqlValue {
        case .integer(let value): self = value
        case .real(let value): self.init(exactly: value)
        case .text(let text): self.init(text)
        default: return nil
        }
    }
}

extension Int: SQLBindable, SQLReadable {
    package var sqlValue: SQLValue { .integer(Int64(self)) }
    package init?(sqlValue: SQLValue) {
        guard let value = Int64(sqlValue: sqlValue) else { return nil }
        self.init(value)
    }
}

extension Int32: SQLBindable, SQLReadable {
    package var sqlValue: SQLValue { .integer(Int64(self)) }
    package init?(sqlValue: SQLValue) {
        guard let value = Int64(sqlValue: sqlValue) else { return nil }
        self.init(exactly: value)
    }
}

extension UInt64: SQLBindable, SQLReadable {
    /// Stored as the signed integer with the same bits: both backends' integers are 64-bit signed.
    package var sqlValue: SQLValue { .integer(Int64(bitPattern: self)) }
    package init?(sqlValue: SQLValue) {
        guard let value = Int64(sqlValue: sqlValue) else { return nil }
        self.init(bitPattern: value)
    }
}

extension Bool: SQLBindable, SQLReadable {
    package var sqlValue: SQLValue { .integer(self ? 1 : 0) }
    package init?(sqlValue: SQLValue) {
        guard let value = Int64(sqlValue: sqlValue) else { return nil }
        self = value != 0
    }
}

extension Double: SQLBindable, SQLReadable {
    package var sqlValue: SQLValue { .real(self) }
    package init?(sqlValue: SQLValue) {
        switch sqlValue {
        case .integer(let value): self.init(value)
        case .real(let value): self = value
        case .text(let text): self.init(text)
        default: return nil
        }
    }
}

extension String: SQLBindable, SQLReadable {
    package var sqlValue: SQLValue { .text(self) }
    package init?(sqlValue: SQLValue) {
        switch sqlValue {
        case .text(let value): self = value
        case .integer(let value): self = String(value)
        case .real(let value): self = String(value)
        case .blob(let bytes): self = String(decoding: bytes, as: UTF8.self)
        case .null: return nil
        }
    }
}

extension Data: SQLBindable, SQLReadable {
    package var sqlValue: SQLValue { .blob([UInt8](self)) }
    package init?(sqlValue: SQLValue) {
        switch sqlValue {
        case .blob(let bytes): self.init(bytes)
        case .text(let text): self.init(text.utf8)
        default: return nil
        }
    }
}

extension Date: SQLReadable {
    /// Dates are written as ``StoredDate`` text; a date is never bound directly, so that both
    /// backends compare the same text.
    package init?(sqlValue: SQLValue) {
        switch sqlValue {
        case .text(let text):
            guard let date = StoredDate.date(text) else { return nil }
            self = date
        case .integer(let seconds): self.init(timeIntervalSince1970: Double(seconds))
        case .real(let seconds): self.init(timeIntervalSince1970: seconds)
        default: return nil
        }
    }
}

extension Optional: SQLBindable where Wrapped: SQLBindable {
    package var sqlValue: SQLValue { self?.sqlValue ?? .null }
}

extension Optional: SQLReadable where Wrapped: SQLReadable {
    package init?(sqlValue: SQLValue) {
        if case .null = sqlValue {
            self = .none
            return
        }
        guard let value = Wrapped(sqlValue: sqlValue) else { return nil }
        self = .some(value)
    }
}

/// The values bound to a statement's `?` placeholders, in order.
package struct SQLArguments: ExpressibleByArrayLiteral, Sendable {
    package var values: [SQLValue]

    package init(arrayLiteral elements: (any SQLBindable)?...) {
        values = elements.map { $0?.sqlValue ?? .null }
    }

    package init(_ elements: [some SQLBindable]) {
        values = elements.map(\.sqlValue)
    }

    package init(values: [SQLValue]) {
        self.values = values
    }

    package static func += (lhs: inout SQLArguments, rhs: SQLArguments) {
        lhs.values += rhs.values
    }

    @discardableResult
    package mutating func append(contentsOf other: SQLArguments) -> Bool {
        values += other.values
        return true
    }

    package mutating func append(_ value: (any SQLBindable)?) {
        values.append(value?.sqlValue ?? .null)
    }
}
