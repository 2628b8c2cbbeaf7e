import Crypto
import Foundation
import Synchronization

/// One signing secret with the HMAC key already absorbed: each MAC copies it
/// (copy-on-write), which saves the key setup on every one of a run's 200,000 tokens.
struct LinkSigningKey: Sendable {
    private let keyed: HMAC<SHA256>
    /// For a retired secret, the moment it stops verifying.
    let validUntil: Date?

    init(secret: Data, validUntil: Date? = nil) {
        keyed = HMAC<SHA256>(key: SymmetricKey(data: secret))
        self.validUntil = validUntil
    }

    /// The MAC over purpose and id, and the row's link key for tokens of the keyed form.
    func mac(_ id: Int64, _ linkKey: Data?, _ purpose: LinkTokens.Purpose) -> [UInt8] {
        var hmac = keyed
        if let linkKey {
            hmac.update(data: Data("carers-newsletter/v2/\(purpose.rawValue)/\(id)/".utf8))
            hmac.update(data: linkKey)
        } else {
            hmac.update(data: Data("carers-newsletter/\(purpose.rawValue)/\(id)".utf8))
        }
        return Array(Array(hmac.finalize()).prefix(LinkTokens.macBytes))
    }
}

/// The current secret, which signs, and the retired ones that still verify.
struct LinkKeySet: Sendable {
    static let linkKeyBytes = 16
    let current: LinkSigningKey
    let previous: [LinkSigningKey]

    init(current: Data, previous: [(secret: Data, validUntil: Date)] = []) {
        self.current = LinkSigningKey(secret: current)
        self.previous = previous.map { LinkSigningKey(secret: $0.secret, validUntil: $0.validUntil) }
    }

    /// The current secret first, then each retired one whose time is not up at `now`.
    func verifying(at now: Date) -> [LinkSigningKey] {
        [current] + previous.filter { ($0.validUntil ?? .distantFuture) > now }
    }
}

/// Where ``LinkTokens`` gets its keys: fixed, or the secret files beside the database,
/// looked at again at most once a second so that a daemon picks up
/// `newsletterctl links rotate-secret` without a reload. A file that cannot be read after
/// a change leaves the keys in force as they were.
final class LinkKeySource: Sendable {
    private struct Loaded {
        var keys: LinkKeySet
        var stamp: String
        var checkedAt: UInt64
    }

    private let path: String?
    private let store: Store?
    private let keepFor: TimeInterval
    private let state: Mutex<Loaded>
    private static let recheckNanoseconds: UInt64 = 1_000_000_000

    init(fixed keys: LinkKeySet) {
        path = nil
        store = nil
        keepFor = 0
        state = Mutex(Loaded(keys: keys, stamp: "", checkedAt: 0))
    }

    init(path: String, keepFor: TimeInterval) throws {
        self.path = path
        store = nil
        self.keepFor = keepFor
        let stamp = Self.stamp(path)
        state = Mutex(Loaded(keys: try Self.read(path, keepFor: keepFor), stamp: stamp, checkedAt: DispatchTime.now().uptimeNanoseconds))
    }

    /// The secrets in the database (PostgreSQL), the current one made at first use.
    init(store: Store, keepFor: TimeInterval) throws {
        path = nil
        self.store = store
        self.keepFor = keepFor
        let (keys, stamp) = try Self.read(store, keepFor: keepFor)
        state = Mutex(Loaded(keys: keys, stamp: stamp, checkedAt: DispatchTime.now().uptimeNanoseconds))
    }

    func keys() -> LinkKeySet {
        if let store { return storedKeys(store) }
        guard let path else { return state.withLock { $0.keys } }
        return state.withLock { loaded in
            let now = DispatchTime.now().uptimeNanoseconds
            guard now &- loaded.checkedAt >= Self.recheckNanoseconds else { return loaded.keys }
            loaded.checkedAt = now
            let stamp = Self.stamp(path)
            if stamp != loaded.stamp, let keys = try? Self.read(path, keepFor: keepFor) {
                loaded.keys = keys
                loaded.stamp = stamp
            }
            return loaded.keys
        }
    }

    /// As for the files: looked at again at most once a second; a database that cannot be
    /// read leaves the keys in force as they were.
    private func storedKeys(_ store: Store) -> LinkKeySet {
        let due = state.withLock { loaded -> Bool in
            let now = DispatchTime.now().uptimeNanoseconds
            guard now &- loaded.checkedAt >= Self.recheckNanoseconds else { return false }
            loaded.checkedAt = now
            return true
        }
        if due, let (keys, stamp) = try? Self.read(store, keepFor: keepFor) {
            return state.withLock { loaded in
                if stamp != loaded.stamp {
                    loaded.keys = keys
                    loaded.stamp = stamp
                }
                return loaded.keys
            }
        }
        return state.withLock { $0.keys }
    }

    private static func read(_ store: Store, keepFor: TimeInterval) throws -> (LinkKeySet, String) {
        var secrets = try store.read { tx in try tx.linkSecrets() }
        if secrets.first?.retiredAt != nil || secrets.isEmpty {
            let current = try store.write { tx in try tx.currentLinkSecret(at: Date()) }
            secrets.insert(StoredLinkSecret(secret: current, retiredAt: nil), at: 0)
        }
        let previous = secrets.dropFirst().compactMap { stored in
            stored.retiredAt.map { (secret: stored.secret, validUntil: $0.addingTimeInterval(keepFor)) }
        }
        let stamp = secrets.map { "\($0.secret.base64EncodedString())/\($0.retiredAt?.timeIntervalSince1970 ?? 0)" }.joined(separator: " ")
        return (LinkKeySet(current: secrets[0].secret, previous: previous), stamp)
    }

    private static func read(_ path: String, keepFor: TimeInterval) throws -> LinkKeySet {
        let current = try LinkSecret.load(path: path)
        let previous = try LinkSecret.retired(path: path).map { (secret: $0.secret, validUntil: $0.retiredAt.addingTimeInterval(keepFor)) }
        return LinkKeySet(current: current, previous: previous)
    }

    /// Changes when either file is replaced or rewritten.
    private static func stamp(_ path: String) -> String {
        [path, LinkSecret.retiredPath(path)].map { file in
            var info = stat()
            guard stat(file, &info) == 0 else { return "-" }
            return "\(info.st_ino)/\(info.st_size)/\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
        }.joined(separator: " ")
    }
}
