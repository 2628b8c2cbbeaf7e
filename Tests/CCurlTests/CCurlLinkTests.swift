import CCurl
import Testing

@Suite("libcurl links and can speak SMTP")
struct CCurlLinkTests {
    @Test("reports the libcurl version it linked against")
    func reportsVersion() throws {
        let info = try #require(ccurl_version_info())
        let version = String(cString: info.pointee.version)
        print("libcurl \(version)")
        let parts = version.split(separator: ".").compactMap { Int($0) }
        #expect(parts.count >= 2)
        #expect(parts[0] >= 7)
    }

    @Test("was built with the smtp and smtps protocols")
    func supportsSMTP() throws {
        let info = try #require(ccurl_version_info())
        var protocols: [String] = []
        var cursor = info.pointee.protocols
        while let entry = cursor?.pointee {
            protocols.append(String(cString: entry))
            cursor = cursor?.advanced(by: 1)
        }
        #expect(protocols.contains("smtp"))
        #expect(protocols.contains("smtps"))
    }

    @Test("typed setopt wrappers reach curl_easy_setopt")
    func typedSetopt() throws {
        let handle = try #require(curl_easy_init())
        defer { curl_easy_cleanup(handle) }
        #expect(ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1) == CURLE_OK)
        #expect(ccurl_setopt_string(handle, CURLOPT_URL, "smtp://127.0.0.1:1/test.example") == CURLE_OK)
        #expect(ccurl_setopt_long(handle, ccurl_option_mail_rcpt_allowfails(), 0) == CURLE_OK)
    }
}
