import Foundation
import NewsletterTestSupport
import Testing

@testable import NewsletterCore

@Suite("Link tokens and the link secret")
struct LinkTokenTests {
    let tokens = LinkTokens(secret: Data(repeating: 7, count: 32))

    @Test("a token verifies for its subscriber and purpose only")
    func roundTrip() {
        let token = tokens.token(subscriberID: 12345, purpose: .unsubscribe)
        #expect(tokens.verify(token, purpose: .unsubscribe) == 12345)
        #expect(tokens.verify(token, purpose: .confirm) == nil)
        #expect(tokens.verify(token, purpose: .preferences) == nil)
        #expect(LinkTokens(secret: Data(repeating: 8, count: 32)).verify(token, purpose: .unsubscribe) == nil)
        #expect(token.count < 40)
        #expect(token.allSatisfy { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" })
    }

    @Test("tampered and malformed tokens are refused")
    func tampered() {
        let token = tokens.token(subscriberID: 42, purpose: .unsubscribe)
        let mac = token.split(separator: ".")[1]
        let otherID = String(43, radix: 36) + "." + mac
        var flipped = Array(token)
        flipped[flipped.count - 1] = flipped.last == "A" ? "B" : "A"
        for bad in [otherID, String(flipped), "", ".", "42", "abc.def", "zzzzzzzzzzzzzzzzz." + mac, "-1." + mac, "0." + mac,
                    token + "x", "../../etc/passwd", token.replacingOccurrences(of: ".", with: "..")] {
            #expect(tokens.verify(bad, purpose: .unsubscribe) == nil, "\(bad)")
        }
    }

    @Test("the secret is created once, with mode 0600, and shared by racing processes")
    func secretFile() async throws {
        let dir = TemporaryDirectory()
        let path = dir.path("link-secret")
        let secrets = try await withThrowingTaskGroup(of: Data.self) { group in
            for _ in 0..<8 { group.addTask { try LinkSecret.load(path: path) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(secrets).count == 1)
        #expect(secrets[0].count == 32)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try LinkSecret.load(path: path) == secrets[0])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["link-secret"])
    }

    @Test("a damaged secret is a clear error")
    func damagedSecret() throws {
        let dir = TemporaryDirectory()
        let path = try dir.write("link-secret", "short")
        #expect(throws: NewsletterError.self) { try LinkSecret.load(path: path) }
    }
}
