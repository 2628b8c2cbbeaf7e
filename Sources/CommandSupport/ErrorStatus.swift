import NewsletterCore

/// The one place where a domain's typed error becomes a line on stderr and a sysexits(3)
/// status. The layers below decide on the error's code; only the command line knows that
/// "not found" is 67 to a script.
package enum ErrorStatus {
    /// The message and status for `error`, or nil when it is not one of ours.
    package static func of(_ error: any Error) -> (message: String, status: ExitStatus)? {
        switch error {
        case let error as NewsletterError:
            return (error.message, error.exitStatus)
        case let error as SubscriberError:
            return (error.message, status(error.code))
        case let error as MessageError:
            return (error.message, .dataError)
        case let error as StoreFailure:
            // Busy or full passes: try again later.
            return (error.message, .tempFailure)
        default:
            return nil
        }
    }

    static func status(_ code: SubscriberError.Code) -> ExitStatus {
        switch code {
        case .notFound: return .noUser
        default: return .dataError
        }
    }
}
