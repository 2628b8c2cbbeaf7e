import ArgumentParser
import NewsletterCore

extension DigestCadence: ExpressibleByArgument {}
extension BlogMode: ExpressibleByArgument {}
extension SubscriberStatus: ExpressibleByArgument {}

/// The options `add` and `update` share.
struct PreferenceOptions: ParsableArguments {
    @Option(help: "The person's name, as in the To: line of their emails.")
    var name: String?

    @Option(help: "The name to greet them by (\"Hello Priya,\"); without it the greeting uses --name (the part after the comma of \"Sharma, Priya\").")
    var firstName: String?

    @Option(help: "How often they get a digest: daily, weekly, monthly or off.")
    var digest: DigestCadence?

    @Option(help: "Blog posts: immediate (an email per post), digest (in the digest) or off.")
    var blog: BlogMode?

    @Option(name: .customLong("topic"), help: "A topic they want; repeat for several. None means every topic.")
    var topics: [String] = []

    @Flag(help: "Waiting for them to confirm by email (double opt-in): a confirmation email is queued (unless signup.confirmation is off) and nothing else is sent until they confirm.")
    var pending = false

    func topicSlugs() throws -> [String] {
        try Topic.slugs(topics)
    }
}

/// Who the consent log names for commands run by hand.
enum Actor {
    static var cli: String { "cli:\(UnixUser.current)" }
}

extension Subscriber {
    /// "active, weekly digest, blog posts in the digest, all topics"
    var summary: String {
        let blogWords: String
        switch blog {
        case .immediate: blogWords = "blog posts by email as they appear"
        case .digest: blogWords = "blog posts in the digest"
        case .off: blogWords = "no blog posts"
        }
        let digestWords = digest == .off ? "no digest" : "\(digest.rawValue) digest"
        let topicWords = topics.isEmpty ? "all topics" : "topics: \(topics.joined(separator: ", "))"
        return "\(status.rawValue), \(digestWords), \(blogWords), \(topicWords)"
    }
}
