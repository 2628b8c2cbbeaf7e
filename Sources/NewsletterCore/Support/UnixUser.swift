#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Who is running this process, for the consent log: "cli:alice", or "cli:alice (sudo)"
/// when an admin ran the command through sudo.
public enum UnixUser {
    public static var current: String {
        let uid = geteuid()
        var name = String(uid)
        if let entry = getpwuid(uid), let raw = entry.pointee.pw_name {
            name = String(cString: raw)
        }
        if uid == 0, let sudoUser = getenv("SUDO_USER").map({ String(cString: $0) }), !sudoUser.isEmpty {
            return "\(sudoUser) (sudo)"
        }
        return name
    }
}
