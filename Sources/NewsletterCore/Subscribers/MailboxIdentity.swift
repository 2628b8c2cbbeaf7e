/// Which mailbox an address reaches, as far as a rate limit needs to know: the plus- and
/// dot-variants of one address count as the same address.
///
/// Used for the per-email sign-up limit only, never to store or compare subscribers: there
/// merging two addresses would be wrong, here it only shares an allowance of a few
/// confirmation emails an hour. So it errs towards merging: everywhere, the local part is
/// lowercased, cut at the first `+` (sub-addressing at Gmail, Outlook, Fastmail, Proton,
/// Postfix and Exim defaults) and has its dots dropped (Gmail ignores them; elsewhere two
/// addresses differing only in dots rarely belong to two people who sign up in the same
/// hour); `googlemail.com` is `gmail.com`. Variants are then one key, so nobody can flood one
/// inbox through `ann+1@`, `ann+2@`, `a.nn@`, ….
public enum MailboxIdentity {
    public static func key(_ address: EmailAddress) -> String {
        let value = address.value
        guard let at = value.lastIndex(of: "@") else { return EmailAddress.hash(key: address.key) }
        var local = Substring(value[..<at].lowercased())
        var domain = value[value.index(after: at)...].lowercased()
        if let plus = local.firstIndex(of: "+"), plus != local.startIndex { local = local[..<plus] }
        let dotless = local.filter { $0 != "." }
        if domain == "googlemail.com" { domain = "gmail.com" }
        // Hashed, like the suppression list: the limiter keeps no addresses in memory.
        return EmailAddress.hash(key: (dotless.isEmpty ? String(local) : dotless) + "@" + domain)
    }
}
