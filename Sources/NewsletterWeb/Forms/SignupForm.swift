import NewsletterCore

/// The sign-up form's fields, checked: what `POST /subscribe` takes from the site's form or
/// from ours.
///
/// Fields: `email` (required), `name`, `digest` (daily, weekly, monthly or off; default
/// weekly), `blog` (immediate, digest or off; default digest), `topics` (repeated; none
/// means every topic; only the site's own, so nobody signs up for a topic that never
/// comes), `consent` (the checkbox; any value) and the honeypot `website`,
/// which people never see and bots fill in.
struct SignupForm: Sendable {
    static let honeypotField = "website"
    static let maxTopics = 50

    var email: String
    var name: String
    var digest: DigestCadence
    var blog: BlogMode
    var topics: [String]
    var consent: Bool
    /// Whether the hidden field was filled in.
    var isBot: Bool

    /// Field name → problem, in the form's order.
    var problems: [(field: String, message: String)] = []
    /// The checked subscriber, when there are no problems.
    var subscriber: NewSubscriber?

    init(_ form: FormBody, siteTopics: Set<String>) {
        email = form["email"] ?? ""
        name = form["name"] ?? ""
        isBot = !(form[Self.honeypotField] ?? "").isEmpty
        consent = !(form["consent"] ?? "").isEmpty
        digest = .default
        blog = .default
        topics = []

        var address: EmailAddress?
        if email.trimmingSpaces.isEmpty {
            problems.append(("email", "Enter your email address."))
        } else if let valid = try? EmailAddress(email) {
            address = valid
        } else {
            problems.append(("email", "Enter an email address like name@example.org."))
        }
        var validName: String?
        do {
            validName = try SubscriberName.validated(name)
        } catch {
            problems.append(("name", "Your name must be one line of at most \(SubscriberName.maxLength) characters."))
        }
        if let text = form["digest"], !text.isEmpty {
            if let cadence = DigestCadence(rawValue: text) { digest = cadence } else { problems.append(("digest", "Choose how often to get the email.")) }
        }
        if let text = form["blog"], !text.isEmpty {
            if let mode = BlogMode(rawValue: text) { blog = mode } else { problems.append(("blog", "Choose when to hear about new blog posts.")) }
        }
        let chosen = form.all("topics").filter { !$0.isEmpty }
        if chosen.count > Self.maxTopics {
            problems.append(("topics", "Choose at most \(Self.maxTopics) topics."))
        } else if let slugs = try? Topic.slugs(chosen), slugs.allSatisfy(siteTopics.contains) {
            topics = slugs
        } else {
            // The form comes back with the ones we know still ticked.
            topics = ((try? Topic.slugs(chosen)) ?? []).filter(siteTopics.contains)
            problems.append(("topics", "One of the topics is not one we know."))
        }
        if !consent {
            problems.append(("consent", "Tick the box to say you agree to get these emails."))
        }
        if problems.isEmpty, let address {
            subscriber = NewSubscriber(email: address, name: validName, status: .pending, digest: digest, blog: blog, topics: topics)
        }
    }
}
