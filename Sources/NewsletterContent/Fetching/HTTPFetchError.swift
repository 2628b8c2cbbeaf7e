/// Why a fetch gave no usable answer. None of these says anything about the page itself: a
/// page whose fetch failed keeps what was last known about it.
package enum HTTPFetchError: Error, Equatable, Sendable {
    /// The host name does not resolve.
    case dns(String)
    /// Nothing answered, or the connection was refused or reset.
    case connect(String)
    /// No complete answer within the connect or total timeout.
    case timeout(String)
    /// The certificate or the TLS handshake failed.
    case tls(String)
    /// The server answered with an error status (4xx, 5xx, or an unexpected 1xx/3xx).
    case status(Int)
    /// More than the allowed number of redirects (or a loop).
    case tooManyRedirects(Int)
    /// A redirect (or the address itself) leads to a scheme other than http or https.
    case scheme(String)
    /// The body, once decompressed, is larger than the limit.
    case tooLarge(limit: Int)
    /// Compressed transfer that does not decompress.
    case badEncoding(String)
    /// robots.txt asks this user agent not to fetch the address.
    case disallowedByRobots
    /// The address is not a URL this program fetches.
    case badURL(String)
    /// Anything else libcurl reports.
    case transfer(String)
    /// Not tried: the scan was stopped.
    case stopped

    /// One line for logs, `content scan` and `newsletterctl status`.
    package var reason: String {
        switch self {
        case .dns(let detail): return "the host name does not resolve (\(detail))"
        case .connect(let detail): return "could not connect (\(detail))"
        case .timeout(let detail): return "timed out (\(detail))"
        case .tls(let detail): return "TLS failed (\(detail))"
        case .status(let code): return "the server answered HTTP \(code)"
        case .tooManyRedirects(let limit): return "more than \(limit) redirects (a redirect loop?)"
        case .scheme(let detail): return "redirected to an address that is not http or https (\(detail))"
        case .tooLarge(let limit): return "the answer is larger than \(limit) bytes; not read"
        case .badEncoding(let detail): return "the compressed answer cannot be decompressed (\(detail))"
        case .disallowedByRobots: return "robots.txt does not allow this address to be fetched"
        case .badURL(let detail): return "not an http or https address (\(detail))"
        case .transfer(let detail): return "the transfer failed (\(detail))"
        case .stopped: return "not fetched: the scan was stopped"
        }
    }

    /// A short name for metrics labels and JSON.
    package var kind: String {
        switch self {
        case .dns: return "dns"
        case .connect: return "connect"
        case .timeout: return "timeout"
        case .tls: return "tls"
        case .status(let code): return code >= 500 ? "http_5xx" : "http_4xx"
        case .tooManyRedirects: return "redirects"
        case .scheme: return "scheme"
        case .tooLarge: return "too_large"
        case .badEncoding: return "encoding"
        case .disallowedByRobots: return "robots"
        case .badURL: return "url"
        case .transfer: return "transfer"
        case .stopped: return "stopped"
        }
    }
}
