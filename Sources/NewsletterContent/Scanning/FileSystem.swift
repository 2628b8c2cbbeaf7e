import Foundation
import NewsletterCore

/// The few file-system calls scanning makes, on raw POSIX for speed: a rescan of 10,000
/// pages is 10,000 `lstat`s and nothing else.
enum FileSystem {
    enum Kind {
        case file, directory, symlink, other
    }

    struct Info {
        var kind: Kind
        var stamp: ContentFileStamp
        var device: UInt64
    }

    /// `lstat` (or `stat` when `follow`), or the errno.
    static func info(_ path: String, follow: Bool = false) -> Result<Info, Errno> {
        var buffer = stat()
        let result = follow ? stat(path, &buffer) : lstat(path, &buffer)
        guard result == 0 else { return .failure(Errno(errno)) }
        return .success(info(buffer))
    }

    static func info(_ buffer: stat) -> Info {
        let kind: Kind
        switch buffer.st_mode & S_IFMT {
        case S_IFREG: kind = .file
        case S_IFDIR: kind = .directory
        case S_IFLNK: kind = .symlink
        default: kind = .other
        }
        let nanos = Int64(buffer.st_mtim.tv_sec) * 1_000_000_000 + Int64(buffer.st_mtim.tv_nsec)
        return Info(
            kind: kind, stamp: ContentFileStamp(size: Int64(buffer.st_size), modifiedNanos: nanos, inode: Int64(bitPattern: UInt64(buffer.st_ino))),
            device: UInt64(buffer.st_dev))
    }

    /// The names in a folder, with what `readdir` says they are (unknown kinds are nil).
    static func list(_ path: String) -> Result<[(name: String, kind: Kind?)], Errno> {
        guard let dir = opendir(path) else { return .failure(Errno(errno)) }
        defer { closedir(dir) }
        var names: [(String, Kind?)] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            let kind: Kind?
            switch Int32(entry.pointee.d_type) {
            case Int32(DT_REG): kind = .file
            case Int32(DT_DIR): kind = .directory
            case Int32(DT_LNK): kind = .symlink
            case Int32(DT_UNKNOWN): kind = nil
            default: kind = .other
            }
            names.append((name, kind))
        }
        return .success(names)
    }

    enum ReadOutcome {
        case bytes([UInt8], ContentFileStamp)
        case tooLarge(Int64)
        case notAFile
        /// Opened, it was a file outside the content folder (its real path).
        case outside(String)
        case failed(Errno)
    }

    /// Reads a whole file, refusing one larger than `limit` before reading it, and one that
    /// is not inside `root` (absolute, symlinks resolved) once opened.
    ///
    /// The walker checked where a symlink led, but the path can be swapped for another link
    /// before this runs. So the path is first opened with `O_PATH` (which opens nothing: no
    /// device or FIFO outside the folder is touched), the file it reached is checked through
    /// `/proc/self/fd`, and only that same inode is then opened for reading.
    static func read(_ path: String, inside root: String, limit: Int64) -> ReadOutcome {
        let handle = open(path, openPathOnly | O_CLOEXEC)
        guard handle >= 0 else { return .failed(Errno(errno)) }
        defer { close(handle) }
        var buffer = stat()
        guard fstat(handle, &buffer) == 0 else { return .failed(Errno(errno)) }
        guard info(buffer).kind == .file else { return .notAFile }
        switch location(of: handle) {
        case .failure(let error): return .failed(error)
        case .success(let reached):
            guard root == "/" || reached.hasPrefix(root + "/") else { return .outside(reached) }
        }
        let fd = open("/proc/self/fd/\(handle)", O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return .failed(Errno(errno)) }
        defer { close(fd) }
        var opened = stat()
        guard fstat(fd, &opened) == 0 else { return .failed(Errno(errno)) }
        let found = info(opened)
        guard found.kind == .file, opened.st_ino == buffer.st_ino, opened.st_dev == buffer.st_dev else { return .notAFile }
        guard found.stamp.size <= limit else { return .tooLarge(found.stamp.size) }
        var bytes = [UInt8](repeating: 0, count: Int(found.stamp.size))
        var total = 0
        while total < bytes.count {
            let count = bytes.withUnsafeMutableBytes { raw in
                Foundation.read(fd, raw.baseAddress! + total, raw.count - total)
            }
            if count < 0 {
                if errno == EINTR { continue }
                return .failed(Errno(errno))
            }
            if count == 0 { break }
            total += count
        }
        if total < bytes.count { bytes.removeSubrange(total...) }
        return .bytes(bytes, found.stamp)
    }

    /// Linux's `O_PATH` (0o10000000 on every architecture Swift runs on), which Glibc only
    /// declares under `_GNU_SOURCE`, so Swift does not see it.
    static let openPathOnly: Int32 = 0o10000000

    /// Where an open file really is, from the kernel rather than from a path that may have
    /// changed since it was opened.
    static func location(of fd: Int32) -> Result<String, Errno> {
        var bytes = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/fd/\(fd)", &bytes, bytes.count - 1)
        guard count >= 0 else { return .failure(Errno(errno)) }
        guard count < bytes.count - 1 else { return .failure(Errno(ENAMETOOLONG)) }
        return .success(String(decoding: bytes[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    /// The path with symlinks resolved, or the errno.
    static func resolve(_ path: String) -> Result<String, Errno> {
        guard let resolved = realpath(path, nil) else { return .failure(Errno(errno)) }
        defer { free(resolved) }
        return .success(String(cString: resolved))
    }

    struct Errno: Error, Equatable {
        var code: Int32
        init(_ code: Int32) { self.code = code }
        var reason: String { String(cString: strerror(code)) }
    }
}

/// A 64-bit FNV-1a hash of a file's bytes, in hex: enough to tell that a page's text changed
/// or that a file reappearing elsewhere is the same file.
enum ContentHash {
    static func of(_ bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
