import Hummingbird
import NIOCore

/// The request context of newsletterd's pages: the connected peer's address (for the
/// client address rules) and a 16 KB limit on bodies.
public struct WebContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    /// The client's address once ``ClientAddressMiddleware`` has worked it out.
    /// Nil when it cannot be known (see ``ClientAddressRule``).
    public var clientAddress: String?
    /// The bucket the sign-up limit counts this request in.
    public var rateLimitKey = "unknown"

    /// No form of ours comes near this; anything bigger is refused with 413.
    public static let bodyLimit = 16 * 1024

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    public var maxUploadSize: Int { Self.bodyLimit }
}
