import Foundation

/// The machine-readable forms of a subscriber that `list`, `show` and `export` print.
/// Scripts rely on these field names and orders: add fields, never rename them.
public enum SubscriberFormats {
    /// CSV columns: an import reads this file back (it ignores status and the dates). The
    /// first name came later, so it is last.
    public static let csvHeader = SubscriberImport.columns + SubscriberImport.ignoredColumns + ["first_name"]

    public static func csvFields(_ subscriber: Subscriber) -> [String] {
        [
            subscriber.email, subscriber.name ?? "", subscriber.digest.rawValue, subscriber.blog.rawValue,
            subscriber.topics.joined(separator: ";"), subscriber.status.rawValue,
            DisplayDate.iso(subscriber.createdAt), DisplayDate.iso(subscriber.updatedAt), subscriber.firstName ?? "",
        ]
    }

    /// One subscriber as a JSON object with stable keys.
    public struct JSON: Encodable, Sendable {
        public var email: String
        public var name: String?
        public var firstName: String?
        public var status: SubscriberStatus
        public var digest: DigestCadence
        public var blog: BlogMode
        public var topics: [String]
        public var createdAt: String
        public var updatedAt: String
        public var activeSince: String?
        public var consent: [ConsentJSON]?

        public init(_ subscriber: Subscriber, consent: [ConsentEntry]? = nil) {
            email = subscriber.email
            name = subscriber.name
            firstName = subscriber.firstName
            status = subscriber.status
            digest = subscriber.digest
            blog = subscriber.blog
            topics = subscriber.topics
            createdAt = DisplayDate.iso(subscriber.createdAt)
            updatedAt = DisplayDate.iso(subscriber.updatedAt)
            activeSince = subscriber.activeSince.map(DisplayDate.iso)
            self.consent = consent?.map(ConsentJSON.init)
        }

        enum CodingKeys: String, CodingKey {
            case email, name, status, digest, blog, topics, consent
            case firstName = "first_name"
            case createdAt = "created_at"
            case updatedAt = "updated_at"
            case activeSince = "active_since"
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(email, forKey: .email)
            try container.encode(name, forKey: .name)
            try container.encode(firstName, forKey: .firstName)
            try container.encode(status, forKey: .status)
            try container.encode(digest, forKey: .digest)
            try container.encode(blog, forKey: .blog)
            try container.encode(topics, forKey: .topics)
            try container.encode(createdAt, forKey: .createdAt)
            try container.encode(updatedAt, forKey: .updatedAt)
            try container.encode(activeSince, forKey: .activeSince)
            try container.encodeIfPresent(consent, forKey: .consent)
        }
    }

    public struct ConsentJSON: Encodable, Sendable {
        public var at: String
        public var actor: String
        public var action: ConsentAction
        public var fromStatus: SubscriberStatus?
        public var toStatus: SubscriberStatus?
        public var wording: String?
        public var clientAddress: String?

        init(_ entry: ConsentEntry) {
            at = DisplayDate.iso(entry.at)
            actor = entry.actor
            action = entry.action
            fromStatus = entry.fromStatus
            toStatus = entry.toStatus
            wording = entry.wording
            clientAddress = entry.clientAddress
        }

        enum CodingKeys: String, CodingKey {
            case at, actor, action, wording
            case fromStatus = "from_status"
            case toStatus = "to_status"
            case clientAddress = "client_address"
        }
    }

    /// A JSON encoder with the output settings every command shares.
    public static func encoder(pretty: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
