import Crypto
import Foundation

/// A well-formed link token: the subscriber id it names and its MAC, not yet trusted. It is
/// checked against the subscriber row in the same transaction that acts on it, so nothing
/// can replace the row between the check and the change.
public struct LinkClaim: Sendable {
    public let subscriberID: Int64
    let keyed: Bool
    let mac: [UInt8]
    let purpose: LinkTokens.Purpose
    let keys: LinkKeySet

    /// Whether the token was made for `subscriber` (this row, not just this id) with a
    /// secret that still verifies at `now`.
    public func holds(for subscriber: Subscriber, at now: Date) -> Bool {
        guard subscriber.id == subscriberID else { return false }
        if keyed {
            guard subscriber.linkKey.count == LinkKeySet.linkKeyBytes else { return false }
        } else {
            // Links of the first form went only to rows that existed before link keys did.
            guard subscriber.legacyLinks else { return false }
        }
        var matched = false
        for key in keys.verifying(at: now) {
            let expected = key.mac(subscriberID, keyed ? subscriber.linkKey : nil, purpose)
            var difference: UInt8 = 0
            for (a, b) in zip(expected, mac) { difference |= a ^ b }
            matched = matched || difference == 0
        }
        return matched
    }
}
