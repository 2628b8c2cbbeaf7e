/// A subscriber operation the list's rules refuse. Callers decide on ``code``; the CLI maps
/// it to a sysexits status and the web routes to a page, each at its own edge.
///
/// Shaped like swift-service-lifecycle's `ServiceGroupError`: the codes are static
/// constants over a private enum, so new ones can be added without breaking a `switch`.
public struct SubscriberError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case alreadyExists = "already exists"
            case notFound = "not found"
            case hasLeft = "has left the list"
            case invalid
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The address is on the list already.
        public static let alreadyExists = Code(.alreadyExists)
        /// No subscriber has that address (or id).
        public static let notFound = Code(.notFound)
        /// They unsubscribed, bounced or were erased; only a fresh sign-up brings them back.
        public static let hasLeft = Code(.hasLeft)
        /// The details given break a rule (an address or a name that cannot be stored).
        public static let invalid = Code(.invalid)

        public var description: String { base.rawValue }
    }

    public let code: Code
    /// One line for a person: what is wrong and what to do.
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    public static func alreadyExists(_ message: String) -> Self { .init(.alreadyExists, message) }
    public static func notFound(_ message: String) -> Self { .init(.notFound, message) }
    public static func hasLeft(_ message: String) -> Self { .init(.hasLeft, message) }
    public static func invalid(_ message: String) -> Self { .init(.invalid, message) }
}
