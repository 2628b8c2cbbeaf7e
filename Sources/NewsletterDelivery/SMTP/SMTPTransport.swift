import CCurl
import Foundation
import Logging
import NewsletterCore

/// SMTP to the configured relay, through libcurl.
///
/// Each connection is one easy handle that keeps its SMTP session open between messages
/// (the next message goes straight to `MAIL FROM`), one recipient per transaction. TLS is
/// required unless the relay is on loopback and `smtp.tls` is `none`; certificates are
/// always verified.
public struct SMTPTransport: MailTransport {
    let settings: SMTPSettings
    let url: SMTPURL
    let helo: String
    let credentials: SMTPCredentials?

    public var destination: String { url.description }

    /// Checks the settings and reads the password now, so a configuration mistake shows at
    /// start rather than at the first message.
    public init(
        settings: SMTPSettings, from: Mailbox?, environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger = Logger(label: "delivery")
    ) throws {
        guard let url = settings.url else {
            throw NewsletterError.config("smtp.url is not set; name the relay, e.g. smtp://mail.example.org:587 (or set mail.transport: maildir)")
        }
        if settings.tls == .none && !url.isLoopback {
            throw NewsletterError.config("smtp.tls none is accepted only for a relay on this machine, not \(url.host.quotedForDisplay)")
        }
        if let caFile = settings.caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            throw NewsletterError.config("smtp.ca_file \(caFile) cannot be read by user \(UnixUser.current)")
        }
        guard let helo = settings.helo ?? from.map({ String($0.address.domain) }) else {
            throw NewsletterError.config("set smtp.helo or mail.from: the EHLO name is taken from one of them")
        }
        guard Curl.ready else { throw NewsletterError.internalError("libcurl failed to initialise") }
        self.settings = settings
        self.url = url
        self.helo = helo
        credentials = try SMTPCredentials.load(settings, environment: environment, logger: logger)
    }

    public func connect() throws -> any MailConnection {
        try SMTPConnection(transport: self)
    }

    /// The URL libcurl is given: its path is the EHLO name.
    var curlURL: String { "\(url.scheme.rawValue)://\(url.urlHost):\(url.port)/\(helo)" }
}

/// One SMTP session on one easy handle. Used by one thread at a time.
final class SMTPConnection: MailConnection {
    private let handle: UnsafeMutableRawPointer
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    private var closed = false

    // The message being sent, read by the read callback.
    fileprivate var body = Data()
    fileprivate var offset = 0
    fileprivate var bodyDone = false
    // The last reply line the server sent, kept by the header callback.
    fileprivate var reply: [UInt8] = []
    private var recipients: UnsafeMutablePointer<curl_slist>?

    init(transport: SMTPTransport) throws {
        guard let handle = curl_easy_init() else { throw NewsletterError.internalError("curl_easy_init failed") }
        self.handle = handle
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        reply.reserveCapacity(512)
        do {
            try configure(transport)
        } catch {
            curl_easy_cleanup(handle)
            errorBuffer.deallocate()
            throw error
        }
    }

    deinit {
        close()
        errorBuffer.deallocate()
    }

    private func configure(_ transport: SMTPTransport) throws {
        let settings = transport.settings
        let me = Unmanaged.passUnretained(self).toOpaque()
        try set(CURLOPT_URL, transport.curlURL)
        try set(CURLOPT_PROTOCOLS_STR, "smtp,smtps")
        try set(CURLOPT_NOSIGNAL, 1)
        try set(CURLOPT_UPLOAD, 1)
        try set(CURLOPT_USE_SSL, settings.tls == .none ? Int(CURLUSESSL_NONE.rawValue) : Int(CURLUSESSL_ALL.rawValue))
        try set(CURLOPT_SSL_VERIFYPEER, 1)
        try set(CURLOPT_SSL_VERIFYHOST, 2)
        if let caFile = settings.caFile { try set(CURLOPT_CAINFO, caFile) }
        if let credentials = transport.credentials {
            try set(CURLOPT_USERNAME, credentials.username)
            try set(CURLOPT_PASSWORD, credentials.password)
        }
        try set(CURLOPT_CONNECTTIMEOUT_MS, Int(settings.connectTimeout * 1000))
        try set(CURLOPT_SERVER_RESPONSE_TIMEOUT, max(1, Int(settings.commandTimeout.rounded(.up))))
        try set(CURLOPT_TIMEOUT_MS, Int(settings.messageTimeout * 1000))
        try set(ccurl_option_mail_rcpt_allowfails(), 0)
        try check(ccurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer), "CURLOPT_ERRORBUFFER")
        try check(ccurl_setopt_read_callback(handle, smtpReadCallback), "CURLOPT_READFUNCTION")
        try check(ccurl_setopt_pointer(handle, CURLOPT_READDATA, me), "CURLOPT_READDATA")
        try check(ccurl_setopt_header_callback(handle, smtpReplyCallback), "CURLOPT_HEADERFUNCTION")
        try check(ccurl_setopt_pointer(handle, CURLOPT_HEADERDATA, me), "CURLOPT_HEADERDATA")
    }

    func send(_ message: OutgoingMessage) -> SendResult {
        guard !closed else { return SendResult(.temporary, text: "the connection was closed", connectionFailed: true) }
        if let failure = prepare(message) { return failure }
        return finish(curl_easy_perform(handle))
    }

    /// The easy handle, for a multi handle to drive.
    var easyHandle: UnsafeMutableRawPointer { handle }

    /// Sets the handle up for `message`; a result when that already failed.
    func prepare(_ message: OutgoingMessage) -> SendResult? {
        body = message.data
        offset = 0
        bodyDone = false
        reply.removeAll(keepingCapacity: true)
        errorBuffer[0] = 0
        // Addresses were validated as EmailAddress: no CR, LF, spaces or angle brackets.
        guard let list = curl_slist_append(nil, "<\(message.envelopeTo.value)>") else {
            return SendResult(.temporary, text: "out of memory", connectionFailed: true)
        }
        recipients = list
        var code = ccurl_setopt_string(handle, CURLOPT_MAIL_FROM, "<\(message.envelopeFrom.value)>")
        if code == CURLE_OK { code = ccurl_setopt_slist(handle, CURLOPT_MAIL_RCPT, list) }
        if code == CURLE_OK { code = ccurl_setopt_off_t(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(message.data.count)) }
        return code == CURLE_OK ? nil : finish(code)
    }

    /// What the transfer that ended with `code` came to; frees what `prepare` set up.
    func finish(_ code: CURLcode) -> SendResult {
        // The list is freed here; curl must not keep pointing at it.
        _ = ccurl_setopt_slist(handle, CURLOPT_MAIL_RCPT, nil)
        if let list = recipients {
            curl_slist_free_all(list)
            recipients = nil
        }
        body = Data()
        var response = 0
        _ = ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &response)
        let replyText = String(decoding: reply, as: UTF8.self)
        let errorText = String(cString: errorBuffer)
        return SMTPReply.classify(
            curlCode: code, responseCode: response, reply: replyText,
            error: errorText.isEmpty ? Curl.describe(code) : errorText, bodySent: bodyDone)
    }

    func close() {
        guard !closed else { return }
        closed = true
        if let list = recipients { curl_slist_free_all(list) }
        // Cleanup sends QUIT on a live connection.
        curl_easy_cleanup(handle)
    }

    fileprivate func fill(_ buffer: UnsafeMutablePointer<CChar>, capacity: Int) -> Int {
        let count = min(capacity, body.count - offset)
        if count <= 0 {
            bodyDone = true
            return 0
        }
        body.withUnsafeBytes { raw in
            UnsafeMutableRawPointer(buffer).copyMemory(from: raw.baseAddress! + offset, byteCount: count)
        }
        offset += count
        // curl knows the size and may not ask again for the end: the body is handed over now.
        if offset == body.count { bodyDone = true }
        return count
    }

    func keepProbeReply(_ bytes: UnsafeRawBufferPointer) {
        keepReply(bytes)
    }

    fileprivate func keepReply(_ bytes: UnsafeRawBufferPointer) {
        var line = bytes[...]
        while let last = line.last, last == 0x0A || last == 0x0D { line = line.dropLast() }
        guard !line.isEmpty else { return }
        // After a failure curl sends QUIT as it closes: its 221 must not hide the reply that mattered.
        if !reply.isEmpty && line.starts(with: "221".utf8) { return }
        reply.removeAll(keepingCapacity: true)
        // The reply goes into the database and logs: keep it printable and short.
        for byte in line.prefix(400) { reply.append(byte < 0x20 || byte == 0x7F ? UInt8(ascii: " ") : byte) }
    }

    private func set(_ option: CURLoption, _ value: Int) throws {
        try check(ccurl_setopt_long(handle, option, value), "\(option)")
    }

    private func set(_ option: CURLoption, _ value: String) throws {
        try check(ccurl_setopt_string(handle, option, value), "\(option)")
    }

    private func check(_ code: CURLcode, _ what: String) throws {
        guard code == CURLE_OK else {
            throw NewsletterError.internalError("libcurl refused option \(what): \(Curl.describe(code))")
        }
    }
}

// C callbacks capture nothing: the connection comes back through the user-data pointer.
// They live here, not in a main.swift, so they are not main-actor isolated.
private let smtpReadCallback: ccurl_read_callback = { buffer, size, count, userdata in
    guard let buffer, let userdata else { return 0 }
    let connection = Unmanaged<SMTPConnection>.fromOpaque(userdata).takeUnretainedValue()
    return connection.fill(buffer, capacity: size * count)
}

private let smtpReplyCallback: ccurl_write_callback = { data, size, count, userdata in
    let length = size * count
    guard let data, let userdata else { return length }
    let connection = Unmanaged<SMTPConnection>.fromOpaque(userdata).takeUnretainedValue()
    connection.keepReply(UnsafeRawBufferPointer(start: data, count: length))
    return length
}
