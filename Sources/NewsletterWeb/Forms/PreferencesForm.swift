import NewsletterCore

/// What `POST /preferences/TOKEN` asks for: new settings, or to leave.
///
/// Fields: `digest`, `blog`, `topics` (repeated; none ticked means every topic: the form
/// always sends the full choice; the site's topics, or ones the subscriber already has),
/// or `action=unsubscribe`.
enum PreferencesRequest: Sendable {
    case unsubscribe
    case change(SubscriberChanges)
    case invalid([(field: String, message: String)])

    static let maxTopics = 50

    init(_ form: FormBody, allowedTopics: Set<String>) {
        if form["action"] == "unsubscribe" {
            self = .unsubscribe
            return
        }
        var problems: [(String, String)] = []
        var changes = SubscriberChanges()
        if let cadence = form["digest"].flatMap(DigestCadence.init(rawValue:)) {
            changes.digest = cadence
        } else {
            problems.append(("digest", "Choose how often to get the email."))
        }
        if let mode = form["blog"].flatMap(BlogMode.init(rawValue:)) {
            changes.blog = mode
        } else {
            problems.append(("blog", "Choose when to hear about new blog posts."))
        }
        let chosen = form.all("topics").filter { !$0.isEmpty }
        if chosen.count <= Self.maxTopics, let slugs = try? Topic.slugs(chosen), slugs.allSatisfy(allowedTopics.contains) {
            changes.topics = slugs
        } else {
            problems.append(("topics", "Choose topics from the list."))
        }
        self = problems.isEmpty ? .change(changes) : .invalid(problems)
    }
}
