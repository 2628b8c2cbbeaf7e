import CCurl
import Foundation

/// Fetches one address at a time over HTTP(S) with libcurl: certificates verified, redirects
/// followed up to a limit and only to http(s), connect and total timeouts, compressed
/// transfer, HTTP/2 where offered, and a body limit applied to the decompressed bytes (so a
/// gzip bomb stops at the limit, not in memory).
///
/// Blocking: each fetcher belongs to one thread at a time (never a Swift concurrency
/// thread), and keeps its easy handle so that fetches to the same host reuse the connection.
package final class HTTPFetcher: @unchecked Sendable {
    let options: HTTPFetchOptions
    private let handle: UnsafeMutableRawPointer?
    private var state = TransferState()

    package init(options: HTTPFetchOptions) {
        self.options = options
        _ = HTTPFetcher.curlReady
        handle = curl_easy_init()
    }

    deinit {
        if let handle { curl_easy_cleanup(handle) }
    }

    /// libcurl's process-wide set-up; thread-safe in the libcurl this builds against (7.84+).
    private static let curlReady: Bool = {
        signal(SIGPIPE, SIG_IGN)
        return curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
    }()

    /// A 2xx or a 304, or why there is none.
    package func fetch(_ request: HTTPRequest) -> Result<HTTPResponse, HTTPFetchError> {
        guard let handle else { return .failure(.transfer("libcurl could not start")) }
        guard let scheme = request.url.split(separator: ":", maxSplits: 1).first?.lowercased(), scheme == "http" || scheme == "https"
        else { return .failure(.badURL(request.url)) }
        guard !request.url.utf8.contains(where: { $0 < 0x21 || $0 == 0x7F }) else { return .failure(.badURL("it holds spaces or control characters")) }

        curl_easy_reset(handle)
        state = TransferState(limit: options.maxBodyBytes)
        var headers: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headers) }
        // Header values come from an earlier answer: a CR or LF in them would start a header of
        // the server's choosing in our request.
        if let etag = request.etag.flatMap(Self.headerSafe) { headers = curl_slist_append(headers, "If-None-Match: \(etag)") }
        if let since = request.lastModified.flatMap(Self.headerSafe) { headers = curl_slist_append(headers, "If-Modified-Since: \(since)") }

        let me = Unmanaged.passUnretained(self).toOpaque()
        var ok = true
        func set(_ option: CURLoption, _ value: Int) { ok = ok && ccurl_setopt_long(handle, option, value) == CURLE_OK }
        func set(_ option: CURLoption, _ value: String) { ok = ok && ccurl_setopt_string(handle, option, value) == CURLE_OK }
        set(CURLOPT_URL, request.url)
        set(CURLOPT_PROTOCOLS_STR, "http,https")
        set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        set(CURLOPT_FOLLOWLOCATION, 1)
        set(CURLOPT_MAXREDIRS, options.maxRedirects)
        set(CURLOPT_NOSIGNAL, 1)
        set(CURLOPT_CONNECTTIMEOUT_MS, options.connectTimeoutMilliseconds)
        set(CURLOPT_TIMEOUT_MS, options.totalTimeoutMilliseconds)
        set(CURLOPT_SSL_VERIFYPEER, 1)
        set(CURLOPT_SSL_VERIFYHOST, 2)
        set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
        // Every encoding this libcurl can decode; the write callback sees decoded bytes.
        set(CURLOPT_ACCEPT_ENCODING, "")
        set(CURLOPT_USERAGENT, options.userAgent)
        if let caFile = options.caFile { set(CURLOPT_CAINFO, caFile) }
        ok = ok && ccurl_setopt_off_t(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(options.maxBodyBytes)) == CURLE_OK
        ok = ok && ccurl_setopt_slist(handle, CURLOPT_HTTPHEADER, headers) == CURLE_OK
        ok = ok && ccurl_setopt_write_callback(handle, httpBodyCallback) == CURLE_OK
        ok = ok && ccurl_setopt_pointer(handle, CURLOPT_WRITEDATA, me) == CURLE_OK
        ok = ok && ccurl_setopt_header_callback(handle, httpHeaderCallback) == CURLE_OK
        ok = ok && ccurl_setopt_pointer(handle, CURLOPT_HEADERDATA, me) == CURLE_OK
        guard ok else { return .failure(.transfer("libcurl refused an option (is it older than 7.85?)")) }

        let code = curl_easy_perform(handle)
        var status = 0
        _ = ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        if let failure = classify(code, status: status) { return .failure(failure) }

        var effective: UnsafeMutablePointer<CChar>?
        _ = ccurl_getinfo_string(handle, CURLINFO_EFFECTIVE_URL, &effective)
        let finalURL = effective.map { String(cString: $0) } ?? request.url
        let (type, charset) = Self.mediaType(state.header("content-type"))
        return .success(
            HTTPResponse(
                status: status, url: finalURL, body: status == 304 ? [] : state.body, etag: state.header("etag"),
                lastModified: state.header("last-modified"), contentType: type, charset: charset))
    }

    private func classify(_ code: CURLcode, status: Int) -> HTTPFetchError? {
        switch code {
        case CURLE_OK:
            if (200..<300).contains(status) || status == 304 { return nil }
            // A 3xx here is a redirect without a Location, or one past the protocol list.
            return .status(status)
        case CURLE_WRITE_ERROR where state.overLimit, CURLE_FILESIZE_EXCEEDED:
            return .tooLarge(limit: options.maxBodyBytes)
        case CURLE_TOO_MANY_REDIRECTS:
            return .tooManyRedirects(options.maxRedirects)
        case CURLE_UNSUPPORTED_PROTOCOL:
            return .scheme(Self.describe(code))
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .dns(Self.describe(code))
        case CURLE_COULDNT_CONNECT, CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE, CURLE_HTTP2,
            CURLE_HTTP2_STREAM:
            return .connect(Self.describe(code))
        case CURLE_OPERATION_TIMEDOUT:
            return .timeout(Self.describe(code))
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM,
            CURLE_SSL_CIPHER, CURLE_SSL_ISSUER_ERROR:
            return .tls(Self.describe(code))
        case CURLE_BAD_CONTENT_ENCODING:
            return .badEncoding(Self.describe(code))
        case CURLE_URL_MALFORMAT:
            return .badURL(Self.describe(code))
        default:
            return .transfer(Self.describe(code))
        }
    }

    fileprivate func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard state.body.count + bytes.count <= state.limit else {
            state.overLimit = true
            return false
        }
        state.body.append(contentsOf: bytes)
        return true
    }

    fileprivate func receiveHeader(_ bytes: UnsafeRawBufferPointer) {
        // Each response of a redirect chain starts with its status line: keep only the last one's headers.
        if bytes.starts(with: "HTTP/".utf8) {
            state.headers.removeAll()
            return
        }
        guard state.headers.count < 200, let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return }
        let name = String(decoding: bytes[..<colon], as: UTF8.self).lowercased()
        let value = String(decoding: bytes[(colon + 1)...], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if state.headers[name] == nil { state.headers[name] = String(value.prefix(1024)) }
    }

    static func describe(_ code: CURLcode) -> String {
        String(cString: curl_easy_strerror(code))
    }

    static func headerSafe(_ value: String) -> String? {
        value.isEmpty || value.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) ? nil : value
    }

    /// `text/html; charset=UTF-8` as (`text/html`, `utf-8`).
    static func mediaType(_ header: String?) -> (String?, String?) {
        guard let header else { return (nil, nil) }
        let parts = header.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        let type = parts.first.map { $0.lowercased() }.flatMap { $0.isEmpty ? nil : $0 }
        let charset = parts.dropFirst().first { $0.lowercased().hasPrefix("charset=") }
            .map { String($0.dropFirst(8)).trimmingCharacters(in: CharacterSet(charactersIn: "\"' ")).lowercased() }
        return (type, charset)
    }
}

/// One transfer's received bytes, written only by libcurl's callbacks on the fetching thread.
private struct TransferState {
    var limit = 0
    var body: [UInt8] = []
    var headers: [String: String] = [:]
    var overLimit = false

    func header(_ name: String) -> String? {
        headers[name].flatMap { $0.isEmpty ? nil : $0 }
    }
}

private let httpBodyCallback: ccurl_write_callback = { data, size, count, userdata in
    guard let data, let userdata else { return 0 }
    let length = size * count
    let fetcher = Unmanaged<HTTPFetcher>.fromOpaque(userdata).takeUnretainedValue()
    // Returning less than `length` makes libcurl stop with CURLE_WRITE_ERROR.
    return fetcher.receiveBody(UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
}

private let httpHeaderCallback: ccurl_write_callback = { data, size, count, userdata in
    guard let data, let userdata else { return 0 }
    let length = size * count
    Unmanaged<HTTPFetcher>.fromOpaque(userdata).takeUnretainedValue().receiveHeader(UnsafeRawBufferPointer(start: data, count: length))
    return length
}
