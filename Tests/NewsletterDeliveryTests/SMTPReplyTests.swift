import CCurl
import Foundation
import Testing

@testable import NewsletterDelivery

@Suite("Classifying what libcurl reports")
struct SMTPReplyTests {
    @Test(
        "codes and replies map to sent, temporary or permanent",
        arguments: [
            (CURLE_OK, 250, "250 2.0.0 Ok", true, SendResult.Disposition.sent, false),
            (CURLE_SEND_ERROR, 451, "451 4.3.0 later", false, .temporary, false),
            (CURLE_SEND_ERROR, 452, "452 4.2.2 full", false, .temporary, false),
            (CURLE_SEND_ERROR, 550, "550 5.1.1 unknown", false, .permanent, false),
            (CURLE_WEIRD_SERVER_REPLY, 554, "554 5.7.1 spam", true, .permanent, false),
            (CURLE_WEIRD_SERVER_REPLY, 451, "451 4.3.0 later", true, .temporary, false),
            // A 554 greeting is the relay's problem, not the message's.
            (CURLE_WEIRD_SERVER_REPLY, 554, "554 no service", false, .temporary, true),
            (CURLE_SEND_ERROR, 421, "421 closing", false, .temporary, true),
            (CURLE_OPERATION_TIMEDOUT, 354, "", true, .temporary, true),
            (CURLE_COULDNT_CONNECT, 0, "", false, .temporary, true),
            (CURLE_LOGIN_DENIED, 535, "535 5.7.8 bad login", false, .temporary, true),
            (CURLE_USE_SSL_FAILED, 0, "", false, .temporary, true),
            (CURLE_PEER_FAILED_VERIFICATION, 0, "", false, .temporary, true),
            (CURLE_RECV_ERROR, 354, "", true, .temporary, true),
            (CURLE_SEND_ERROR, 250, "250 ok", false, .temporary, true),
        ])
    func classify(
        code: CURLcode, response: Int, reply: String, bodySent: Bool, expected: SendResult.Disposition, connection: Bool
    ) {
        let result = SMTPReply.classify(curlCode: code, responseCode: response, reply: reply, error: "curl error", bodySent: bodySent)
        #expect(result.disposition == expected)
        #expect(result.connectionFailed == connection)
        if response >= 400 { #expect(result.code == response) }
        if response < 400 && expected != .sent { #expect(result.code == nil) }
    }
}
