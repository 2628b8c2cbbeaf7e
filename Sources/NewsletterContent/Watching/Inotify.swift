import Foundation

/// A Linux inotify instance: `inotify_init1(IN_NONBLOCK | IN_CLOEXEC)`, watches on folders,
/// and the events read from it until `EAGAIN`.
final class Inotify {
    /// The event bits this program uses (from <sys/inotify.h>; the C macros do not all import).
    struct Mask: OptionSet, Sendable {
        let rawValue: UInt32
        static let modify = Mask(rawValue: 0x0000_0002)
        static let attrib = Mask(rawValue: 0x0000_0004)
        static let closeWrite = Mask(rawValue: 0x0000_0008)
        static let movedFrom = Mask(rawValue: 0x0000_0040)
        static let movedTo = Mask(rawValue: 0x0000_0080)
        static let create = Mask(rawValue: 0x0000_0100)
        static let delete = Mask(rawValue: 0x0000_0200)
        static let deleteSelf = Mask(rawValue: 0x0000_0400)
        static let moveSelf = Mask(rawValue: 0x0000_0800)
        static let unmount = Mask(rawValue: 0x0000_2000)
        static let queueOverflow = Mask(rawValue: 0x0000_4000)
        static let ignored = Mask(rawValue: 0x0000_8000)
        static let onlyDirectory = Mask(rawValue: 0x0100_0000)
        static let dontFollow = Mask(rawValue: 0x0200_0000)
        static let excludeUnlinked = Mask(rawValue: 0x0400_0000)
        static let isDirectory = Mask(rawValue: 0x4000_0000)

        /// What a folder's watch asks for: every way a file in it can change, appear or go.
        static let folder: Mask = [
            .modify, .attrib, .closeWrite, .movedFrom, .movedTo, .create, .delete, .deleteSelf, .moveSelf, .onlyDirectory,
            .dontFollow, .excludeUnlinked,
        ]
    }

    struct Event: Sendable, Equatable {
        var watch: Int32
        var mask: Mask
        var cookie: UInt32
        /// The name inside the watched folder; empty for an event on the folder itself.
        var name: String
    }

    let descriptor: Int32

    /// Opens an instance, or throws the errno (EMFILE when the user's instance limit is reached).
    init() throws {
        let fd = inotify_init1(Int32(IN_NONBLOCK) | Int32(IN_CLOEXEC))
        guard fd >= 0 else { throw FileSystem.Errno(errno) }
        descriptor = fd
    }

    deinit {
        close(descriptor)
    }

    /// Watches a folder; returns the watch descriptor (the same one again for a folder already
    /// watched), or the errno: ENOSPC when fs.inotify.max_user_watches is reached.
    func watch(_ path: String) -> Result<Int32, FileSystem.Errno> {
        let wd = inotify_add_watch(descriptor, path, Mask.folder.rawValue)
        return wd >= 0 ? .success(wd) : .failure(FileSystem.Errno(errno))
    }

    func unwatch(_ wd: Int32) {
        _ = inotify_rm_watch(descriptor, wd)
    }

    /// Every event waiting, reading until the kernel says there are no more (EAGAIN).
    func read() -> [Event] {
        var events: [Event] = []
        let size = 64 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 8)
        defer { buffer.deallocate() }
        while true {
            let count = Foundation.read(descriptor, buffer, size)
            if count < 0 {
                if errno == EINTR { continue }
                break  // EAGAIN: drained (or the descriptor failed, which the next read shows again)
            }
            if count == 0 { break }
            events += Self.decode(UnsafeRawBufferPointer(start: buffer, count: count))
        }
        return events
    }

    /// `struct inotify_event { int wd; uint32_t mask, cookie, len; char name[]; }`, back to back.
    static func decode(_ bytes: UnsafeRawBufferPointer) -> [Event] {
        var events: [Event] = []
        var offset = 0
        while offset + 16 <= bytes.count {
            let wd = bytes.loadUnaligned(fromByteOffset: offset, as: Int32.self)
            let mask = bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
            let cookie = bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self)
            let length = Int(bytes.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
            let nameStart = offset + 16
            guard nameStart + length <= bytes.count else { break }
            var nameEnd = nameStart
            while nameEnd < nameStart + length, bytes[nameEnd] != 0 { nameEnd += 1 }
            let name = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[nameStart..<nameEnd]), as: UTF8.self)
            events.append(Event(watch: wd, mask: Mask(rawValue: mask), cookie: cookie, name: name))
            offset = nameStart + length
        }
        return events
    }
}
