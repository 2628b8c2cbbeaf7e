/// An outbox message that cannot be sent as it stands: its envelope or header section is
/// malformed, its body was pruned, its edition is gone. Sending it again cannot help, so
/// delivery fails it permanently; anything else that goes wrong while building it (the
/// database busy, say) is worth another try. The CLI maps it to EX_DATAERR (65).
public struct MessageError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case unsendable
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The message itself is wrong; no retry can send it.
        public static let unsendable = Code(.unsendable)

        public var description: String { base.rawValue }
    }

    public let code: Code
    /// One line naming the message's fault.
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    public static func unsendable(_ message: String) -> Self { .init(.unsendable, message) }
}
