import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A datagram socket standing in for systemd's notify socket: it binds a path and collects
/// every message the agent sends, with its arrival time.
final class NotifySocket: Sendable {
    let path: String
    private let descriptor: Int32
    private final class Store: Sendable {
        let received = Mutex<[(at: ContinuousClock.Instant, message: String)]>([])
    }

    private let store = Store()
    private let reader: Task<Void, Never>

    init(path: String) throws {
        self.path = path
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { throw AgentProcessError(message: "socket: \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        // "@name" is an abstract socket: a leading zero byte and an exact length.
        let abstract = bytes.first == UInt8(ascii: "@")
        if abstract { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = abstract ? MemoryLayout<sa_family_t>.size + bytes.count : MemoryLayout<sockaddr_un>.size
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(length)) }
        }
        guard bound == 0 else { throw AgentProcessError(message: "bind \(path): \(errno)") }
        self.descriptor = descriptor
        let store = self.store
        reader = Task.detached {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !Task.isCancelled {
                var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                guard poll(&poller, 1, 50) > 0 else { continue }
                let count = recv(descriptor, &buffer, buffer.count, 0)
                if count > 0 {
                    let message = String(decoding: buffer[0..<count], as: UTF8.self)
                    store.received.withLock { $0.append((.now, message)) }
                }
            }
        }
    }

    deinit {
        reader.cancel()
        close(descriptor)
    }

    var messages: [(at: ContinuousClock.Instant, message: String)] { store.received.withLock { $0 } }

    func count(_ prefix: String, after: ContinuousClock.Instant? = nil) -> Int {
        messages.filter { entry in entry.message.hasPrefix(prefix) && (after.map { entry.at > $0 } ?? true) }.count
    }
}
