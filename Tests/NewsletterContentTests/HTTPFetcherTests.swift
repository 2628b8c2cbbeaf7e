import Foundation
import NewsletterTestSupport
import Testing

@testable import NewsletterContent

/// The fetcher against real servers on loopback: Debian's nginx for the ordinary answers and
/// validators, the scripted server for the faults. Each fetch runs on a thread of its own.
@Suite("Fetching pages over HTTP with libcurl")
struct HTTPFetcherTests {
    static let agent = "carers-newsletter-test/1.0 (+mailto:web@carers.example.org)"

    func fetch(_ url: String, etag: String? = nil, lastModified: String? = nil, configure: (inout HTTPFetchOptions) -> Void = { _ in })
        async -> Result<HTTPResponse, HTTPFetchError>
    {
        var options = HTTPFetchOptions(userAgent: Self.agent)
        configure(&options)
        let settings = options
        return await offPool { HTTPFetcher(options: settings).fetch(HTTPRequest(url: url, etag: etag, lastModified: lastModified)) }
    }

    func failure(_ result: Result<HTTPResponse, HTTPFetchError>) -> HTTPFetchError? {
        if case .failure(let error) = result { return error }
        return nil
    }

    @Test("nginx: a page comes with its validators, and asking again with them costs a 304 with no body")
    func conditional() async throws {
        let dir = TemporaryDirectory()
        let page = "<!doctype html><title>Advocacy services</title><main><p>" + String(repeating: "Advocacy is support. ", count: 100) + "</p></main>"
        _ = try dir.write("site/advocacy.html", page)
        let nginx = try await NginxServer(serving: dir.path("site"), in: dir)

        let first = try await fetch(nginx.baseURL + "/advocacy.html").get()
        #expect(first.status == 200)
        #expect(first.body == Array(page.utf8))
        #expect(first.contentType == "text/html")
        #expect(first.charset == "utf-8")
        let etag = try #require(first.etag)
        let modified = try #require(first.lastModified)

        let again = try await fetch(nginx.baseURL + "/advocacy.html", etag: etag, lastModified: modified).get()
        #expect(again.notModified)
        #expect(again.body.isEmpty)
        // Only If-Modified-Since, as for a server that gives no ETag.
        let byDate = try await fetch(nginx.baseURL + "/advocacy.html", lastModified: modified).get()
        #expect(byDate.notModified)
        #expect(nginx.requests().map(\.status) == [200, 304, 304])
    }

    @Test("nginx: XML compressed in transit arrives decompressed, and a missing page is an error, not an empty page")
    func compressedAndMissing() async throws {
        let dir = TemporaryDirectory()
        let sitemap = "<?xml version=\"1.0\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"
            + (1...200).map { "<url><loc>https://carers.example.org/page-\($0)</loc><lastmod>2024-03-12</lastmod></url>" }.joined() + "</urlset>"
        _ = try dir.write("site/sitemap.xml", sitemap)
        let nginx = try await NginxServer(serving: dir.path("site"), in: dir)

        let response = try await fetch(nginx.baseURL + "/sitemap.xml").get()
        #expect(response.body == Array(sitemap.utf8))
        #expect(response.contentType == "application/xml")
        #expect(failure(await fetch(nginx.baseURL + "/gone.html")) == .status(404))
    }

    @Test("the scripted server: the User-Agent names the product, and every encoding libcurl knows is offered")
    func politeRequest() async throws {
        let dir = TemporaryDirectory()
        let server = try await ScriptedHTTPServer(in: dir)
        _ = try await fetch(server.baseURL + "/ok").get()
        let request = try #require(server.requests().first)
        #expect(request["user_agent"] as? String == Self.agent)
        #expect((request["accept_encoding"] as? String)?.contains("gzip") == true)
    }

    @Test("redirects are followed to a limit, and never to file:, ftp: or gopher:")
    func redirects() async throws {
        let dir = TemporaryDirectory()
        let server = try await ScriptedHTTPServer(in: dir)
        let followed = try await fetch(server.baseURL + "/redirect/3").get()
        #expect(followed.status == 200)
        #expect(followed.url == server.baseURL + "/ok")
        #expect(failure(await fetch(server.baseURL + "/redirect/9")) == .tooManyRedirects(5))
        #expect(failure(await fetch(server.baseURL + "/loop")) == .tooManyRedirects(5))
        for escape in ["/to-file", "/to-ftp", "/to-gopher"] {
            let error = failure(await fetch(server.baseURL + escape))
            guard case .scheme = error else {
                Issue.record("\(escape): \(String(describing: error))")
                continue
            }
        }
        #expect(failure(await fetch("file:///etc/passwd")) == .badURL("file:///etc/passwd"))
    }

    @Test("a 50 MB body, with or without a length, and a gzip bomb stop at the limit")
    func bodyLimits() async throws {
        let dir = TemporaryDirectory()
        let server = try await ScriptedHTTPServer(in: dir)
        let limit = 1024 * 1024
        for path in ["/big", "/big-unsized", "/bomb"] {
            #expect(failure(await fetch(server.baseURL + path) { $0.maxBodyBytes = limit }) == .tooLarge(limit: limit), "\(path)")
        }
        let error = failure(await fetch(server.baseURL + "/bad-gzip"))
        guard case .badEncoding = error else {
            Issue.record("bad gzip: \(String(describing: error))")
            return
        }
    }

    @Test("errors are told apart: HTTP 500 and 403, a refused connection, a host that does not resolve, a stalled answer")
    func failures() async throws {
        let dir = TemporaryDirectory()
        let server = try await ScriptedHTTPServer(in: dir)
        #expect(failure(await fetch(server.baseURL + "/status/500")) == .status(500))
        #expect(failure(await fetch(server.baseURL + "/status/403")) == .status(403))
        let closed = try FreePort.pick()
        guard case .connect = failure(await fetch("http://127.0.0.1:\(closed)/")) else {
            Issue.record("a closed port is not a connect failure")
            return
        }
        guard case .dns = failure(await fetch("http://no-such-host.invalid/")) else {
            Issue.record("an unresolvable host is not a DNS failure")
            return
        }
        // The server holds both for two minutes; the fetch gives up at its own timeout.
        for path in ["/slow", "/stall"] {
            let error = failure(await fetch(server.baseURL + path) { $0.totalTimeoutMilliseconds = 1_000 })
            guard case .timeout = error else {
                Issue.record("\(path): \(String(describing: error))")
                continue
            }
        }
    }

    @Test("a validator holding a CR is never sent back as a header")
    func validatorInjection() async throws {
        let dir = TemporaryDirectory()
        let server = try await ScriptedHTTPServer(in: dir)
        _ = try await fetch(server.baseURL + "/ok", etag: "\"abc\"\r\nX-Injected: yes", lastModified: "Tue\n").get()
        let request = try #require(server.requests().first)
        #expect(request["if_none_match"] is NSNull)
        #expect(request["if_modified_since"] is NSNull)
    }
}
