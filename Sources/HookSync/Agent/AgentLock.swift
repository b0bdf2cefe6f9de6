public import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive `flock` on `<data_dir>/agent.lock`, held for the agent's lifetime.
///
/// One agent owns an inbox at a time; that is what lets it clear every lease at start-up, and
/// what lets the CLI tell whether an agent is running (and where it listens) even after a
/// `kill -9`, since the kernel drops the lock with the process.
public final class AgentLock: Sendable {
    /// What a running agent writes into its lock file.
    public struct Info: Sendable, Codable, Equatable {
        public var pid: Int32
        public var listen: String?
        public var startedAt: Date

        enum CodingKeys: String, CodingKey {
            case pid, listen
            case startedAt = "started_at"
        }
    }

    private let descriptor: Int32
    private let started = Date()

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    static func path(dataDirectory: String) -> String {
        (dataDirectory as NSString).appendingPathComponent("agent.lock")
    }

    /// Takes the lock or explains who holds it.
    public static func acquire(dataDirectory: String) throws(AgentLockError) -> AgentLock {
        do {
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        } catch {
            throw .cannotCreate(dataDirectory, reason: error.localizedDescription)
        }
        let path = path(dataDirectory: dataDirectory)
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .cannotCreate(path, reason: String(cString: strerror(errno))) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw .held(dataDirectory, pid: running(dataDirectory: dataDirectory)?.pid)
        }
        let lock = AgentLock(descriptor: descriptor)
        lock.record(listen: nil)
        return lock
    }

    /// Rewrites the lock file's content, once the listener's real address is known.
    public func record(listen: String?) {
        let info = Info(pid: getpid(), listen: listen, startedAt: started)
        guard let data = try? JSONEncoder().encode(info) else { return }
        ftruncate(descriptor, 0)
        _ = data.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
    }

    /// The running agent's details, or nil when no agent holds the lock.
    public static func running(dataDirectory: String) -> Info? {
        let path = path(dataDirectory: dataDirectory)
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        if flock(descriptor, LOCK_SH | LOCK_NB) == 0 {
            flock(descriptor, LOCK_UN)
            return nil
        }
        guard let data = FileManager.default.contents(atPath: path), let info = try? JSONDecoder().decode(Info.self, from: data)
        else { return Info(pid: 0, listen: nil, startedAt: Date(timeIntervalSince1970: 0)) }
        return info
    }
}

/// Why the agent could not take its data directory.
public enum AgentLockError: Error, Sendable, CustomStringConvertible {
    case cannotCreate(String, reason: String)
    case held(String, pid: Int32?)

    public var description: String {
        switch self {
        case .cannotCreate(let path, let reason): "cannot create \(path): \(reason)"
        case .held(let directory, let pid):
            "another hooksync agent\(pid.map { " (pid \($0))" } ?? "") is already running on \(directory); stop it first"
        }
    }
}
