import Foundation

/// Runs a helper command (a PostgreSQL tool) with `posix_spawn` and `waitpid`, for the test and
/// bench support that cannot use Foundation's `Process`: with `runuser` in between, `Process`
/// left the exited children as zombies and never reported their end.
public enum Subprocess {
    /// Runs `executable` to its end, its output appended to `output`; returns its exit status.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:], output: String) async throws -> Int32 {
        let pid = try spawn(executable, arguments, environment: environment, output: output, newSession: false)
        return await withCheckedContinuation { continuation in
            // waitpid blocks: on a thread of its own, never on the test's cooperative pool.
            Thread.detachNewThread {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
                let exited = status & 0x7f == 0
                continuation.resume(returning: exited ? (status >> 8) & 0xff : 128 + (status & 0x7f))
            }
        }
    }

    /// Starts `executable` in a session of its own and does not wait for it: a watchdog that
    /// must outlive the test process.
    public static func detach(_ executable: String, _ arguments: [String]) throws {
        _ = try spawn(executable, arguments, environment: [:], output: "/dev/null", newSession: true)
    }

    private static func spawn(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String],
        output: String,
        newSession: Bool
    )
        throws -> pid_t
    {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | (newSession ? 0x80 /* POSIX_SPAWN_SETSID */ : 0)))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        closeInheritedDescriptors(&actions)
        let variables = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv + envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else { throw SubprocessError("cannot start \(executable): \(String(cString: strerror(result)))") }
        return pid
    }
}

/// Closes every descriptor above 2 in the child. Without it the child inherits this
/// process's sockets, event loops and pipes: a server started here (PostgreSQL) would hold open
/// the pipe a parent reads this process's output from, and the parent would wait forever.
private func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
    // glibc 2.34+ closes them all at spawn; the symbol needs _GNU_SOURCE, so look it up.
    typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") {
        _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
        return
    }
    let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
    for descriptor in open.compactMap(Int32.init) where descriptor > 2 {
        posix_spawn_file_actions_addclose(&actions, descriptor)
    }
}

/// A helper command or a throwaway server that could not do its job, and why.
public struct SubprocessError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
