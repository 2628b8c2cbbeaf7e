import CCurl
import NewsletterCore

extension SMTPTransport {
    /// Connects to the relay, says EHLO, starts TLS, logs in and sends NOOP: proves the
    /// settings and the password without sending mail (`newsletterctl config check --connect`).
    public func checkLogin() throws -> SendResult {
        let connection = try SMTPConnection(transport: self)
        defer { connection.close() }
        return connection.noop()
    }
}

extension SMTPConnection {
    func noop() -> SendResult {
        let me = Unmanaged.passUnretained(self).toOpaque()
        // A custom command's reply comes as the transfer's body: keep it, never print it.
        guard ccurl_setopt_long(easyHandle, CURLOPT_UPLOAD, 0) == CURLE_OK,
            ccurl_setopt_string(easyHandle, CURLOPT_CUSTOMREQUEST, "NOOP") == CURLE_OK,
            ccurl_setopt_write_callback(easyHandle, smtpProbeCallback) == CURLE_OK,
            ccurl_setopt_pointer(easyHandle, CURLOPT_WRITEDATA, me) == CURLE_OK
        else {
            return SendResult(.temporary, text: "libcurl refused the NOOP options", connectionFailed: true)
        }
        return finish(curl_easy_perform(easyHandle))
    }
}

private let smtpProbeCallback: ccurl_write_callback = { data, size, count, userdata in
    let length = size * count
    guard let data, let userdata else { return length }
    Unmanaged<SMTPConnection>.fromOpaque(userdata).takeUnretainedValue().keepProbeReply(UnsafeRawBufferPointer(start: data, count: length))
    return length
}
