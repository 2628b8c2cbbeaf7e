import Foundation

/// `GET /healthz` to the daemon's own web listener, for the watchdog: an answer proves the
/// listener accepts, the event loops run, the router and the handlers' thread pool work and
/// the database answers. Blocking, with a timeout on every step: call it off any queue the
/// daemon needs.
public enum HealthRequest {
    /// Whether `url` (`http://host:port`, as the listener reports it) answered 200 within `timeout`.
    public static func succeeds(_ url: String, timeout: TimeInterval) -> Bool {
        guard let parsed = URLComponents(string: url), let host = parsed.host, let port = parsed.port else { return false }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        guard getaddrinfo(bare, String(port), &hints, &list) == 0, let first = list else { return false }
        defer { freeaddrinfo(list) }
        let fd = socket(first.pointee.ai_family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var limit = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        guard connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else { return false }
        let request = Array("GET /healthz HTTP/1.1\r\nHost: \(host):\(port)\r\nUser-Agent: newsletterd-watchdog\r\nConnection: close\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else { return false }
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 512)
        // The status line is all that matters; it fits in the first read or two.
        while reply.count < 64 {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            reply += buffer.prefix(count)
        }
        let status = String(decoding: reply.prefix(while: { $0 != 13 && $0 != 10 }), as: UTF8.self)
        return status.hasPrefix("HTTP/1.1 200") || status.hasPrefix("HTTP/1.0 200")
    }
}
