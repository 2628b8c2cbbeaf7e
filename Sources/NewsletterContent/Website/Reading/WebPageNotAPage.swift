/// Error and login pages that a site serves with status 200: read as the page, they would
/// wipe its title and date. Told by their heading or title, or by a password field in the
/// main content (never in the header, where many sites keep a small login form).
enum WebPageNotAPage {
    /// A main content shorter than this (text bytes other than spaces) with a password field
    /// is a login form; a longer one is a page that happens to offer one.
    static let loginFormText = 1500

    static func reason(heading: String?, title: String?, passwordField: Bool, contentLength: Int) -> String? {
        for (what, text) in [("heading", heading), ("title", title)] {
            guard let text else { continue }
            let plain = normalised(text)
            if isError(plain) { return "the \(what) \(text.quotedText) says this is an error page" }
            if isLogin(plain) { return "the \(what) \(text.quotedText) says this is a login page" }
        }
        if passwordField, contentLength < loginFormText { return "the main content is a login form (it asks for a password)" }
        return nil
    }

    /// Lowercased, typographic apostrophes plain, without surrounding punctuation.
    static func normalised(_ text: String) -> String {
        let lower = TextCleanup.collapse(String(text.prefix(300))).lowercased().replacingOccurrences(of: "\u{2019}", with: "'")
        let trim: Set<Character> = [".", "!", "?", ":", " ", "-", "\u{2013}", "|"]
        var chars = Substring(lower)
        while let first = chars.first, trim.contains(first) { chars = chars.dropFirst() }
        while let last = chars.last, trim.contains(last) { chars = chars.dropLast() }
        return String(chars)
    }

    static let errorPhrases = [
        "page not found", "page cannot be found", "page can't be found", "page could not be found", "page couldn't be found",
        "page does not exist", "page doesn't exist", "page isn't available", "page is not available", "page no longer exists",
        "can't find that page", "can't find the page", "cannot find the page", "couldn't find that page", "couldn't find the page",
        "could not find the page", "internal server error", "service unavailable", "access denied", "you do not have permission",
        "you don't have permission", "you are not authorised", "you are not authorized", "you're not authorised", "you're not authorized",
    ]
    static let errorTitles: Set<String> = ["not found", "forbidden", "unauthorised", "unauthorized", "error", "nothing found", "gone", "page missing"]
    static let errorCodes = ["400", "401", "403", "404", "410", "500", "502", "503"]

    static func isError(_ text: String) -> Bool {
        if errorTitles.contains(text) || errorPhrases.contains(where: { text.contains($0) }) { return true }
        // "404", "Error 404", "404 - Page not found"; not "500 carers helped this year".
        for code in errorCodes {
            for form in [code, "error " + code, "http " + code] where text.hasPrefix(form) {
                let rest = text.dropFirst(form.count)
                if rest.isEmpty || codeEndings.contains(where: { rest.hasPrefix($0) }) { return true }
            }
        }
        return false
    }

    static let codeEndings = [":", " -", " \u{2013}", " |", " error", " not found", " page", " forbidden", " gone"]

    static let loginTitles: Set<String> = [
        "log in", "login", "log-in", "log on", "logon", "sign in", "signin", "sign-in", "user login", "member login", "members login",
        "members' login", "staff login", "account login", "user account", "log in or register", "login or register",
        "sign in or register", "log in / register", "login / register", "sign in / register",
    ]

    static func isLogin(_ text: String) -> Bool {
        loginTitles.contains(text)
            || ["log in to ", "login to ", "sign in to ", "log into ", "sign into ", "log on to "].contains { text.hasPrefix($0) }
    }
}
