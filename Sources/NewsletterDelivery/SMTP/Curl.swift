import CCurl
import Foundation

/// Process-wide libcurl set-up, done once before the first handle.
enum Curl {
    /// Initialises libcurl (not thread-safe itself, so guarded by Swift's once-only
    /// static initialisation) and ignores SIGPIPE, which a dropped TLS connection would
    /// otherwise raise: with `CURLOPT_NOSIGNAL` curl does not do that for us.
    static let ready: Bool = {
        signal(SIGPIPE, SIG_IGN)
        return curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
    }()

    static func describe(_ code: CURLcode) -> String {
        String(cString: curl_easy_strerror(code))
    }
}
