/// The name a message greets a subscriber by ("Hello Priya,").
///
/// Their first name when one was given (an import's first-name column, `--first-name`).
/// Otherwise their name, except that a name holding a comma is not used as it is: lists
/// exported from spreadsheets and CRMs write "Sharma, Priya", and "Hello Sharma, Priya," reads
/// like a form letter. With exactly one comma the part after it is the given name, unless that
/// part is a suffix ("Smith, Jr."), when the name is used whole. With more commas there is no
/// telling which part is which, and the neutral "Hello," is better than a wrong name.
extension Subscriber {
    package var greetingName: String? {
        GreetingName.make(name: name, firstName: firstName)
    }
}

package enum GreetingName {
    /// Words after a comma that end a name rather than begin one.
    static let suffixes: Set<String> = [
        "jr", "jnr", "junior", "sr", "snr", "senior", "ii", "iii", "iv", "esq", "phd", "md", "obe", "mbe", "cbe", "qc", "kc",
    ]

    package static func make(name: String?, firstName: String?) -> String? {
        if let firstName = firstName?.trimmingSpaces, !firstName.isEmpty { return firstName }
        guard let name = name?.trimmingSpaces, !name.isEmpty else { return nil }
        let parts = name.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingSpaces }
        switch parts.count {
        case 1:
            return name
        case 2:
            let after = parts[1]
            let word = after.lowercased().filter { $0 != "." }
            if after.isEmpty || parts[0].isEmpty { return parts[0].isEmpty ? (after.isEmpty ? nil : after) : parts[0] }
            return suffixes.contains(word) ? name : after
        default:
            return nil
        }
    }
}
