import Foundation

/// The open-file limit the connection caps must fit in. Each listener may hold
/// `http.max_connections` sockets; the database, the content watcher and SMTP take about
/// 200 more. A soft limit below that is raised towards the hard one where it can be, and
/// otherwise named in the log, so the cap, not EMFILE, is what turns clients away.
enum FileLimit {
    static let reserve = 200

    /// Raises the soft limit to fit `listeners` × `maxConnections` + the reserve if the hard
    /// limit allows; returns the soft limit then in force and what was needed.
    static func ensure(listeners: Int, maxConnections: Int) -> (soft: UInt64, needed: UInt64) {
        let needed = UInt64(listeners * maxConnections + reserve)
        var limit = rlimit()
        #if canImport(Glibc)
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
        let resource = RLIMIT_NOFILE
        #endif
        guard getrlimit(resource, &limit) == 0 else { return (needed, needed) }
        if UInt64(limit.rlim_cur) < needed {
            var raised = limit
            raised.rlim_cur = rlim_t(min(needed, UInt64(limit.rlim_max)))
            if setrlimit(resource, &raised) == 0 { limit = raised }
        }
        return (UInt64(limit.rlim_cur), needed)
    }
}
