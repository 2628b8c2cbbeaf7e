/// An error meant for a person: one line that names the thing at fault and what to do,
/// and the sysexits(3) status the process ends with.
///
/// Every failure a user can cause (bad input, bad config, a missing file) surfaces as one of
/// these, never as a trap or a stack trace. Build them with the static constructors so the
/// exit status always matches the kind of failure.
public struct NewsletterError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The sysexits(3) status.
    public let exitStatus: ExitStatus
    /// One line, without a trailing newline or the program name.
    public let message: String

    public init(_ exitStatus: ExitStatus, _ message: String) {
        self.exitStatus = exitStatus
        self.message = message
    }

    public var description: String { message }

    /// The command line is wrong (64).
    public static func usage(_ message: String) -> Self { .init(.usage, message) }
    /// The input data is wrong: an invalid address, a malformed CSV row (65).
    public static func badData(_ message: String) -> Self { .init(.dataError, message) }
    /// An input file does not exist or cannot be read (66).
    public static func noInput(_ message: String) -> Self { .init(.noInput, message) }
    /// The named subscriber does not exist (67).
    public static func noUser(_ message: String) -> Self { .init(.noUser, message) }
    /// A service the command needs is not there (69).
    public static func unavailable(_ message: String) -> Self { .init(.unavailable, message) }
    /// An output file or folder cannot be created (73).
    public static func cantCreate(_ message: String) -> Self { .init(.cantCreate, message) }
    /// Reading or writing failed part-way (74).
    public static func ioError(_ message: String) -> Self { .init(.ioError, message) }
    /// Try again later: the database is busy, the disk is full, the relay said 4xx (75).
    public static func tempFailure(_ message: String) -> Self { .init(.tempFailure, message) }
    /// The configuration is wrong (78).
    public static func config(_ message: String) -> Self { .init(.config, message) }
    /// A bug: something the program itself got wrong (70).
    public static func internalError(_ message: String) -> Self { .init(.software, message) }
}

/// Exit statuses from sysexits(3), so scripts and systemd can tell failures apart.
public enum ExitStatus: Int32, Sendable, CaseIterable {
    case success = 0
    case failure = 1
    case usage = 64
    case dataError = 65
    case noInput = 66
    case noUser = 67
    case unavailable = 69
    case software = 70
    case cantCreate = 73
    case ioError = 74
    case tempFailure = 75
    case noPermission = 77
    case config = 78
}
