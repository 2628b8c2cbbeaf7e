import Foundation
import NewsletterCore
import NewsletterTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// An input for the web endpoints (one line of `Tests/Hostile/http.jsonl`; see its README).
struct HostileHTTPCase: Decodable, Sendable, CustomTestStringConvertible {
    var name: String
    var method: String
    /// The request target as sent, e.g. `/unsubscribe/{token:unsubscribe:ann@example.org}`.
    var path: String
    var headers: [String: String]?
    var body: String?
    /// The body's bytes in base64, for bytes that are not UTF-8.
    var bodyBase64: String?
    /// The expected HTTP status.
    var status: Int
    /// A fragment of the response body ("" for a bare status, such as the HTTP parser's 400).
    var message: String
    /// Text the response must not hold, e.g. the input echoed unescaped.
    var absent: String?

    var testDescription: String { name }

    enum CodingKeys: String, CodingKey {
        case name, method, path, headers, body, status, message, absent
        case bodyBase64 = "body_base64"
    }
}

/// newsletterd with its web listener on an ephemeral loopback port, over a site with two
/// subscribers (Ann active, Pat pending, whose confirmation email has been delivered). Each
/// case is sent as raw bytes on its own connection, so requests no HTTP client library would
/// build (line breaks in the target, lying lengths) reach the server as written.
final class HTTPCorpusServer: @unchecked Sendable {
    let fixture: DaemonFixture
    let daemon: RunningProcess
    let port: Int
    let tokens: LinkTokens
    let baseline: String
    let deliveredCount: Int

    private init(fixture: DaemonFixture, daemon: RunningProcess, port: Int, tokens: LinkTokens, baseline: String, deliveredCount: Int) {
        self.fixture = fixture
        self.daemon = daemon
        self.port = port
        self.tokens = tokens
        self.baseline = baseline
        self.deliveredCount = deliveredCount
    }

    func stop() async {
        guard daemon.process.isRunning else { return }
        daemon.signal(SIGTERM)
        let result = await daemon.wait()
        #expect(result.status == 0, "newsletterd after the HTTP corpus: \(result)")
    }

    static func start() async throws -> HTTPCorpusServer {
        let fixture = try DaemonFixture()
        for arguments in [["subscribers", "add", "ann@example.org", "--name", "Ann"], ["subscribers", "add", "pat@example.org", "--pending"]] {
            let result = try await Binaries.run("newsletterctl", arguments + ["--config", fixture.config])
            guard result.status == 0 else { throw TestSetupError("fixture setup failed: \(result)") }
        }
        let (daemon, base, _) = try await WebEndpointTests.start(fixture)
        let settled = try await fixture.wait(120) { try await Self.unfinished(fixture) == 0 }
        guard settled, let port = base.port else {
            daemon.signal(SIGKILL)
            throw TestSetupError("newsletterd did not deliver the fixture's confirmation email: \(await daemon.wait())")
        }
        let secret = try LinkSecret.load(path: LinkSecret.path(forDatabase: fixture.dir.path("data/newsletter.db")))
        return HTTPCorpusServer(
            fixture: fixture, daemon: daemon, port: port, tokens: LinkTokens(secret: secret), baseline: try await Self.snapshot(fixture),
            deliveredCount: fixture.delivered().count)
    }

    static func unfinished(_ fixture: DaemonFixture) async throws -> Int {
        let result = try await Binaries.run(
            "sqlite3", [fixture.dir.path("data/newsletter.db"), "SELECT count(*) FROM outbox WHERE state IN ('queued', 'sending', 'deferred')"])
        return Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    /// What a request could change: the list, consent, suppressions and the outbox. The
    /// daemon's own bookkeeping (heartbeat, job runs) moves on by itself, so it is left out,
    /// and so is the unsent confirmation a sign-up for an address already on the list leaves
    /// behind: every sign-up does the same work, so that its timing gives nothing away.
    static func snapshot(_ fixture: DaemonFixture) async throws -> String {
        let tables = ["subscriber", "consent_log", "suppression"].map { "SELECT * FROM \($0) ORDER BY 1;" }.joined()
        let outbox = "SELECT id, kind, subscriber_id, envelope_to, state FROM outbox "
            + "WHERE NOT (state = 'cancelled' AND last_text LIKE 'not sent: a sign-up%') ORDER BY id;"
        let result = try await Binaries.run("sqlite3", [fixture.dir.path("data/newsletter.db"), tables + outbox])
        guard result.status == 0 else { throw TestSetupError("sqlite3 failed: \(result)") }
        return result.stdout
    }

    func run(_ input: HostileHTTPCase) async throws {
        let path = try expand(input.path)
        var body: [UInt8] = []
        if let text = input.body { body = Array(try expand(text).utf8) }
        if let base64 = input.bodyBase64 { body = Array(Data(base64Encoded: base64) ?? Data()) }
        var headers = input.headers ?? [:]
        if !body.isEmpty, headers["Content-Type"] == nil { headers["Content-Type"] = "application/x-www-form-urlencoded" }
        if headers["Content-Length"] == nil, headers["Transfer-Encoding"] == nil, !body.isEmpty || input.method == "POST" {
            headers["Content-Length"] = String(body.count)
        }
        var request = "\(input.method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { request += "\(name): \(try expand(value))\r\n" }
        let bytes = Array((request + "\r\n").utf8) + body
        let port = port
        // A blocking socket exchange: on a thread of its own.
        let response = try await offPool { try Self.exchange(port: port, bytes) }

        #expect(response.status == input.status, "\(input.name): \(response.status) \(response.body.prefix(300).debugDescription)")
        #expect(input.message.isEmpty || response.body.contains(input.message), "\(input.name): \(response.body.prefix(600).debugDescription)")
        #expect(!response.body.contains("Fatal error") && !response.body.contains("Stack trace"), "\(input.name)")
        if let absent = input.absent { #expect(!response.body.contains(absent), "\(input.name): the response holds \(absent.debugDescription)") }
        if !daemon.process.isRunning {
            let result = await daemon.wait()
            Issue.record("\(input.name): newsletterd exited: \(result)")
        }
        #expect(try await Self.snapshot(fixture) == baseline, "\(input.name): the database changed")
        // The snapshot above holds the outbox, so anything the request queued already shows there.
        #expect(try await Self.unfinished(fixture) == 0 && fixture.delivered().count == deliveredCount, "\(input.name): an email was queued or sent")
    }

    /// `{token:PURPOSE:EMAIL}` is a genuine link token for that subscriber, `{token:PURPOSE:#ID}`
    /// one for an id nobody has, `{tampered:PURPOSE:EMAIL}` a genuine one with its last
    /// character changed; `{repeat:N:TEXT}` as in the other files.
    func expand(_ text: String) throws -> String {
        var out = HostileCorpus.expand(text, dir: fixture.dir.path, config: fixture.config)
        for kind in ["token", "tampered"] {
            while let start = out.range(of: "{\(kind):") {
                guard let close = out[start.upperBound...].firstIndex(of: "}") else { break }
                let spec = out[start.upperBound..<close].split(separator: ":", maxSplits: 1).map(String.init)
                guard spec.count == 2, let purpose = LinkTokens.Purpose(rawValue: spec[0]) else { throw TestSetupError("bad placeholder in \(text)") }
                let (id, linkKey) = try subscriberLink(spec[1])
                var token = tokens.token(subscriberID: id, linkKey: linkKey, purpose: purpose)
                if kind == "tampered" { token = String(token.dropLast()) + (token.hasSuffix("A") ? "B" : "A") }
                out.replaceSubrange(start.lowerBound...close, with: token)
            }
        }
        return out
    }

    private func subscriberLink(_ who: String) throws -> (Int64, Data) {
        if who.hasPrefix("#"), let id = Int64(who.dropFirst()) { return (id, Data(repeating: 0, count: 16)) }
        let store = try fixture.store()
        guard let subscriber = try store.read({ tx in try tx.subscriber(key: try EmailAddress(who).key) }) else {
            throw TestSetupError("no subscriber \(who) in the fixture")
        }
        return (subscriber.id, subscriber.linkKey)
    }

    struct Response {
        var status: Int
        var body: String
    }

    /// Sends `request` on a new connection and reads the answer until the server closes it.
    /// A connection closed without an answer is status 0.
    static func exchange(port: Int, _ request: [UInt8]) throws -> Response {
        guard let fd = FreePort.connect(port) else { throw TestSetupError("cannot connect to 127.0.0.1:\(port): \(errno)") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 120, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var sent = 0
        while sent < request.count {
            let n = request[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            // The server may answer (413, 400) and close before reading everything.
            if n <= 0 { break }
            sent += n
        }
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n < 0 && errno == EINTR { continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { throw TestSetupError("no answer within 120 seconds") }
            if n <= 0 { break }
            data += buffer[0..<n]
        }
        return parse(data)
    }

    static func parse(_ data: [UInt8]) -> Response {
        let text = String(decoding: data, as: UTF8.self)
        guard let head = text.range(of: "\r\n\r\n") else { return Response(status: 0, body: text) }
        let lines = text[..<head.lowerBound].components(separatedBy: "\r\n")
        let status = lines.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
        var body = String(text[head.upperBound...])
        if lines.contains(where: { $0.lowercased().hasPrefix("transfer-encoding:") && $0.lowercased().contains("chunked") }) {
            body = dechunk(body)
        }
        return Response(status: status, body: body)
    }

    static func dechunk(_ body: String) -> String {
        var out = ""
        var rest = Substring(body)
        while let lineEnd = rest.range(of: "\r\n"), let size = Int(rest[..<lineEnd.lowerBound], radix: 16), size > 0 {
            let start = lineEnd.upperBound
            let chunk = rest.utf8[start...].prefix(size)
            out += String(decoding: chunk, as: UTF8.self)
            rest = rest[chunk.endIndex...].dropFirst(2)
        }
        return out
    }
}
