import Foundation
import NewsletterCore

/// Finds the page files in the content folder (or in part of it).
///
/// Hidden files and folders, editor leftovers and files that are not pages are passed over
/// silently. Symlinks are followed when they point inside the folder; one pointing outside,
/// a broken one, or one leading back into a folder it is in (a loop) is reported and skipped.
struct TreeWalker {
    let root: String

    struct Found {
        /// Relative to the root, with `/` separators.
        var path: String
        var absolute: String
        var stamp: ContentFileStamp
    }

    struct Result {
        var files: [Found] = []
        var warnings: [ScanWarning] = []
        /// Real folders seen (not reached through a symlink), relative; "" is the root.
        var directories: [String] = []
    }

    /// The whole tree.
    func walk() -> Result {
        var result = Result()
        let rootInfo = FileSystem.info(root, follow: true)
        guard case .success(let info) = rootInfo else { return result }
        walkDirectory("", absolute: root, ancestors: [Identity(info)], viaLink: false, into: &result)
        return result
    }

    /// One path: a file, or a folder and everything in it. Nothing is found for a path that
    /// does not exist, is ignored, or is not a page.
    func walk(path: String) -> Result {
        var result = Result()
        guard !path.isEmpty else { return walk() }
        guard !PageIdentity.isInIgnoredFolder(path), let name = path.split(separator: "/").last, !PageIdentity.isIgnored(String(name)) else {
            return result
        }
        var ancestors: [Identity] = []
        if case .success(let info) = FileSystem.info(root, follow: true) { ancestors.append(Identity(info)) }
        visit(path, name: String(name), kind: nil, ancestors: ancestors, viaLink: false, into: &result)
        return result
    }

    private struct Identity: Equatable {
        var device: UInt64
        var inode: Int64
        init(_ info: FileSystem.Info) {
            device = info.device
            inode = info.stamp.inode
        }
    }

    private func absolute(_ path: String) -> String {
        path.isEmpty ? root : root + "/" + path
    }

    private func walkDirectory(_ path: String, absolute: String, ancestors: [Identity], viaLink: Bool, into result: inout Result) {
        if !viaLink { result.directories.append(path) }
        guard ancestors.count < 64 else {
            result.warnings.append(ScanWarning(path: path, reason: "folders nested more than 64 deep; skipped"))
            return
        }
        switch FileSystem.list(absolute) {
        case .failure(let error):
            result.warnings.append(ScanWarning(path: path.isEmpty ? "." : path, reason: "folder cannot be read: \(error.reason)"))
        case .success(let entries):
            for entry in entries.sorted(by: { $0.name < $1.name }) where !PageIdentity.isIgnored(entry.name) {
                let child = path.isEmpty ? entry.name : path + "/" + entry.name
                visit(child, name: entry.name, kind: entry.kind, ancestors: ancestors, viaLink: viaLink, into: &result)
            }
        }
    }

    private func visit(_ path: String, name: String, kind: FileSystem.Kind?, ancestors: [Identity], viaLink: Bool, into result: inout Result) {
        let full = absolute(path)
        // Folders need no stat of their own, and non-page files need none at all.
        if kind == .file && !PageIdentity.isPage(name) { return }
        guard case .success(let info) = FileSystem.info(full) else { return }
        switch info.kind {
        case .file:
            if PageIdentity.isPage(name) { result.files.append(Found(path: path, absolute: full, stamp: info.stamp)) }
        case .directory:
            walkDirectory(path, absolute: full, ancestors: ancestors + [Identity(info)], viaLink: viaLink, into: &result)
        case .symlink:
            followLink(path, name: name, ancestors: ancestors, into: &result)
        case .other:
            break
        }
    }

    private func followLink(_ path: String, name: String, ancestors: [Identity], into result: inout Result) {
        let full = absolute(path)
        let target: String
        switch FileSystem.resolve(full) {
        case .success(let resolved):
            target = resolved
        case .failure(let error) where error.code == ELOOP:
            result.warnings.append(ScanWarning(path: path, reason: "symlink loop; skipped"))
            return
        case .failure(let error) where error.code == ENOENT:
            if PageIdentity.isPage(name) { result.warnings.append(ScanWarning(path: path, reason: "broken symlink (its target does not exist); skipped")) }
            return
        case .failure(let error):
            result.warnings.append(ScanWarning(path: path, reason: "symlink cannot be followed: \(error.reason); skipped"))
            return
        }
        guard case .success(let info) = FileSystem.info(target) else { return }
        switch info.kind {
        case .file:
            guard PageIdentity.isPage(name) else { return }
            guard target.hasPrefix(root + "/") else {
                result.warnings.append(ScanWarning(path: path, reason: "symlink points outside the content folder (to \(target)); skipped"))
                return
            }
            result.files.append(Found(path: path, absolute: full, stamp: info.stamp))
        case .directory:
            guard target == root || target.hasPrefix(root + "/") else {
                result.warnings.append(ScanWarning(path: path, reason: "symlink points outside the content folder (to \(target)); skipped"))
                return
            }
            guard !ancestors.contains(Identity(info)) else {
                result.warnings.append(ScanWarning(path: path, reason: "symlink loop (it leads back to a folder that contains it); skipped"))
                return
            }
            walkDirectory(path, absolute: full, ancestors: ancestors + [Identity(info)], viaLink: true, into: &result)
        default:
            break
        }
    }
}
