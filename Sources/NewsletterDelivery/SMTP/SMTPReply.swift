import CCurl
import Foundation

/// Turns what libcurl reports about one SMTP transaction into a ``SendResult``.
///
/// libcurl 7.88.1 reports a refused `MAIL`, `RCPT` or `DATA` as `CURLE_SEND_ERROR` and a
/// refused final reply after the body as `CURLE_WEIRD_SERVER_REPLY`, whatever the code;
/// the reply code (`CURLINFO_RESPONSE_CODE`) tells temporary (4xx) from permanent (5xx).
/// A refused greeting is also `CURLE_WEIRD_SERVER_REPLY`: whether the body was sent tells
/// the two apart, so a relay that greets with 554 never fails a message permanently.
enum SMTPReply {
    static func classify(curlCode: CURLcode, responseCode: Int, reply: String, error: String, bodySent: Bool) -> SendResult {
        let code = responseCode > 0 ? responseCode : nil
        let text = reply.isEmpty ? error : reply
        switch curlCode {
        case CURLE_OK:
            return SendResult(.sent, code: code, text: reply.isEmpty ? "accepted" : reply)
        case CURLE_LOGIN_DENIED:
            return connectionFailure(code.flatMap { $0 >= 400 ? $0 : nil }, "the relay refused the login (\(text)); check smtp.username and the password file")
        case CURLE_USE_SSL_FAILED:
            return connectionFailure(code.flatMap { $0 >= 400 ? $0 : nil }, "the relay did not agree to STARTTLS (\(text)); it is required unless smtp.tls is none on loopback")
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CERTPROBLEM,
            CURLE_SSL_CIPHER, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS:
            return connectionFailure(nil, "TLS with the relay failed: \(error)")
        case CURLE_OPERATION_TIMEDOUT:
            return connectionFailure(code.flatMap { $0 >= 400 ? $0 : nil }, "timed out: \(error)")
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_GOT_NOTHING, CURLE_RECV_ERROR,
            CURLE_REMOTE_ACCESS_DENIED:
            return connectionFailure(code.flatMap { $0 >= 400 ? $0 : nil }, "\(error)\(reply.isEmpty ? "" : " (last reply: \(reply))")")
        default:
            break
        }
        if responseCode == 421 {
            return connectionFailure(421, text)
        }
        let transactionReply = curlCode == CURLE_SEND_ERROR || (curlCode == CURLE_WEIRD_SERVER_REPLY && bodySent)
        if transactionReply, let code {
            switch code {
            case 400..<500: return SendResult(.temporary, code: code, text: text)
            case 500..<600: return SendResult(.permanent, code: code, text: text)
            default: break
            }
        }
        // Anything else (a refused greeting, a dropped connection, a reply that made no
        // sense) is the connection's fault, not the message's: try again later.
        return connectionFailure(code.flatMap { $0 >= 400 ? $0 : nil }, "\(error)\(reply.isEmpty || reply == error ? "" : " (last reply: \(reply))")")
    }

    private static func connectionFailure(_ code: Int?, _ text: String) -> SendResult {
        SendResult(.temporary, code: code, text: text, connectionFailed: true)
    }
}
