import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file without a name for an exec command's stdin or stderr: in memory (`memfd_create`)
/// where the kernel offers it, else a temporary file unlinked as soon as it is open.
///
/// It is never synced and never reaches a directory listing: Foundation's `createFile` wrote
/// each body through an atomic rename with an `fsync`, the largest single cost of an exec
/// delivery, and a crash could leave the file behind.
struct ScratchFile {
    let descriptor: Int32

    /// Opens an empty scratch file, close-on-exec (a command receives it only as a standard
    /// stream, through `posix_spawn`'s `dup2`).
    static func open(temporaryDirectory: String) throws(SpawnError) -> ScratchFile {
        if let memfdCreate {
            let descriptor = memfdCreate("hooksync-exec", 1 /* MFD_CLOEXEC */)
            if descriptor >= 0 { return ScratchFile(descriptor: descriptor) }
        }
        let template = temporaryDirectory + "/hooksync-exec-XXXXXX"
        var path = Array(template.utf8CString)
        let descriptor = mkstemp(&path)
        guard descriptor >= 0 else { throw SpawnError(code: errno) }
        unlink(path)
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        return ScratchFile(descriptor: descriptor)
    }

    /// Writes all of `bytes` and rewinds, so a command reading its stdin starts at the top.
    func fill(with bytes: [UInt8]) throws(SpawnError) {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { buffer in
                guard let base = buffer.baseAddress else { return 0 }
                return write(descriptor, base + written, buffer.count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw SpawnError(code: errno)
            }
            written += result
        }
        guard lseek(descriptor, 0, SEEK_SET) == 0 else { throw SpawnError(code: errno) }
    }

    /// The last `limit` bytes, as text.
    func tail(limit: Int) -> String {
        let end = lseek(descriptor, 0, SEEK_END)
        guard end >= 0 else { return "" }
        let size = Int(end)
        let start = max(0, size - limit)
        var bytes = [UInt8](repeating: 0, count: size - start)
        let read = bytes.withUnsafeMutableBytes { buffer in pread(descriptor, buffer.baseAddress, buffer.count, off_t(start)) }
        return String(decoding: bytes.prefix(max(0, read)), as: UTF8.self)
    }

    func release() {
        _ = close(descriptor)
    }
}

/// glibc's `memfd_create` (2.27+), looked up at run time because Swift's Glibc module does not
/// import it.
private typealias MemfdCreate = @convention(c) (UnsafePointer<CChar>, UInt32) -> Int32
private let memfdCreate: MemfdCreate? = dlsym(nil, "memfd_create").map { unsafeBitCast($0, to: MemfdCreate.self) }
