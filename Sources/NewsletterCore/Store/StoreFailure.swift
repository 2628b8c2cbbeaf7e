/// The database could not take the work now, though nothing is wrong with it: it stayed
/// locked past the busy timeout, or the disk is full. Nothing was changed; the same call
/// may succeed later. The CLI maps it to EX_TEMPFAIL (75), the web pages to 503.
public struct StoreFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case busy
            case full
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// Another connection held the lock past `database.busy_timeout`.
        public static let busy = Code(.busy)
        /// The disk (or the file system's quota) is full.
        public static let full = Code(.full)

        public var description: String { base.rawValue }
    }

    public let code: Code
    /// One line for a person, naming the database and what to do.
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
