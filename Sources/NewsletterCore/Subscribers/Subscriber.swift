import Foundation

/// One person on the list.
public struct Subscriber: Sendable, Equatable {
    public var id: Int64
    /// The address as given, trimmed.
    public var email: String
    public var name: String?
    /// The name to greet them by, when given apart from `name` (see `greetingName`).
    public var firstName: String?
    public var status: SubscriberStatus
    public var digest: DigestCadence
    public var blog: BlogMode
    /// Topic slugs; empty means every topic.
    public var topics: [String]
    public var createdAt: Date
    public var updatedAt: Date
    /// When the subscriber last became active: their first digest covers only what came after.
    public var activeSince: Date?
    /// Random bytes of this row that its link tokens are signed over: a link made for this
    /// subscriber verifies against no other row, even one given the same id later.
    public var linkKey: Data
    /// Whether the row existed before link keys did, so links of the old form (id and MAC
    /// only) sent to it still work.
    public var legacyLinks: Bool

    public init(
        id: Int64, email: String, name: String?, status: SubscriberStatus, digest: DigestCadence, blog: BlogMode,
        topics: [String], createdAt: Date, updatedAt: Date, activeSince: Date?, linkKey: Data = Data(), legacyLinks: Bool = false,
        firstName: String? = nil
    ) {
        self.linkKey = linkKey
        self.legacyLinks = legacyLinks
        self.id = id
        self.firstName = firstName
        self.email = email
        self.name = name
        self.status = status
        self.digest = digest
        self.blog = blog
        self.topics = topics
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.activeSince = activeSince
    }
}

public enum SubscriberStatus: String, Sendable, CaseIterable, Codable {
    /// Signed up, waiting for the confirmation click (double opt-in).
    case pending
    /// Receives mail.
    case active
    /// Opted out; stays on the suppression list.
    case unsubscribed
    /// The relay rejected their address too often; suppressed.
    case bounced

    /// Whether mail may be sent to this subscriber at all.
    public var receivesMail: Bool { self == .active }
}

public enum DigestCadence: String, Sendable, CaseIterable, Codable {
    case daily, weekly, monthly, off
    public static let `default` = DigestCadence.weekly
}

public enum BlogMode: String, Sendable, CaseIterable, Codable {
    /// A notification as soon as a post appears.
    case immediate
    /// Posts go in the next digest.
    case digest
    /// No blog posts at all.
    case off
    public static let `default` = BlogMode.digest
}

/// One line of the consent log: who or what changed a subscriber's consent or status, when,
/// and what they agreed to.
public struct ConsentEntry: Sendable, Equatable {
    public var at: Date
    /// `cli:alice`, `import:/path/file.csv (alice)`, `web`, `daemon`.
    public var actor: String
    public var action: ConsentAction
    public var fromStatus: SubscriberStatus?
    public var toStatus: SubscriberStatus?
    /// The wording the person agreed to, or a note of what changed.
    public var wording: String?
    /// The client's network address, for web sign-ups.
    public var clientAddress: String?

    public init(
        at: Date, actor: String, action: ConsentAction, fromStatus: SubscriberStatus? = nil, toStatus: SubscriberStatus? = nil,
        wording: String? = nil, clientAddress: String? = nil
    ) {
        self.at = at
        self.actor = actor
        self.action = action
        self.fromStatus = fromStatus
        self.toStatus = toStatus
        self.wording = wording
        self.clientAddress = clientAddress
    }
}

public enum ConsentAction: String, Sendable, CaseIterable, Codable {
    case subscribed, resubscribed, confirmed, unsubscribed, bounced, preferences, pending
}

/// Why an address is on the suppression list.
public enum SuppressionReason: String, Sendable, CaseIterable, Codable {
    case unsubscribed, bounced, erased, complaint
}

/// An entry of the suppression list: only a hash of the address is kept.
public struct Suppression: Sendable, Equatable {
    public var reason: SuppressionReason
    public var createdAt: Date
    public var actor: String
}
