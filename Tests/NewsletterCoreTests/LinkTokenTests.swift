import Foundation
import NewsletterTestSupport
import Testing

@testable import NewsletterCore

@Suite("Link tokens and the link secret")
struct LinkTokenTests {
    let tokens = LinkTokens(secret: Data(repeating: 7, count: 32))

    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func verify(_ tokens: LinkTokens, _ token: String, _ purpose: LinkTokens.Purpose, id: Int64 = 12345) -> Int64? {
        let subscriber = LinkKeyTests.subscriber(id: id, key: 9)
        guard let claim = tokens.claim(token, purpose: purpose), claim.holds(for: subscriber, at: now) else { return nil }
        return claim.subscriberID
    }

    @Test("a token verifies for its subscriber and purpose only")
    func roundTrip() {
        let token = tokens.token(for: LinkKeyTests.subscriber(id: 12345, key: 9), purpose: .unsubscribe)
        #expect(verify(tokens, token, .unsubscribe) == 12345)
        #expect(verify(tokens, token, .confirm) == nil)
        #expect(verify(tokens, token, .preferences) == nil)
        #expect(verify(LinkTokens(secret: Data(repeating: 8, count: 32)), token, .unsubscribe) == nil)
        #expect(token.count < 40)
        #expect(token.allSatisfy { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" })
    }

    @Test("tampered and malformed tokens are refused")
    func tampered() {
        let token = tokens.token(for: LinkKeyTests.subscriber(id: 42, key: 9), purpose: .unsubscribe)
        let mac = token.split(separator: ".")[2]
        let otherID = "v2." + String(43, radix: 36) + "." + mac
        var flipped = Array(token)
        flipped[flipped.count - 1] = flipped.last == "A" ? "B" : "A"
        for bad in [otherID, String(flipped), "", ".", "42", "abc.def", "zzzzzzzzzzzzzzzzz." + mac, "-1." + mac, "0." + mac,
                    token + "x", "../../etc/passwd", token.replacingOccurrences(of: ".", with: "..")] {
            #expect(verify(tokens, bad, .unsubscribe, id: 42) == nil, "\(bad)")
            #expect(verify(tokens, bad, .unsubscribe, id: 43) == nil, "\(bad)")
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
