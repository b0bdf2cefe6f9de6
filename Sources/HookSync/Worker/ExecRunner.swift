import Foundation
public import HookSyncCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs one exec-route command: the event body on stdin, stdout discarded, the tail of stderr
/// kept for the delivery's last error.
///
/// stdin and stderr are temporary files rather than pipes, so a command that never reads its
/// input, or a grandchild that keeps stderr open, cannot block the worker.
public struct ExecRunner: Sendable {
    /// How much of stderr's end is kept.
    public var stderrLimit: Int

    public init(stderrLimit: Int = 4096) {
        self.stderrLimit = stderrLimit
    }

    public func run<C: Clock>(
        command: [String],
        input: [UInt8],
        environment: [String: String],
        timeout: Duration,
        clock: C
    ) async -> ExecResult where C.Duration == Duration {
        guard let executable = Self.resolve(command[0], path: environment["PATH"]) else {
            return ExecResult(termination: .failedToStart("\(command[0]): not found or not executable"), stderrTail: "")
        }
        let pid: pid_t
        let standardInput: ScratchFile
        let errors: ScratchFile
        do {
            (standardInput, errors) = try Self.streams(input)
        } catch {
            return ExecResult(termination: .failedToStart("cannot create the command's stdin and stderr: \(error)"), stderrTail: "")
        }
        defer {
            standardInput.release()
            errors.release()
        }
        do {
            pid = try Self.spawn(executable: executable, arguments: command, environment: environment, stdin: standardInput, stderr: errors)
        } catch {
            return ExecResult(termination: .failedToStart("\(command[0]): \(error)"), stderrTail: "")
        }
        let exit = ChildExit(pid: pid)
        let timedOut = await withTaskCancellationHandler {
            await withTaskGroup(of: Bool.self) { group in
                group.addTask {
                    await exit.wait()
                    return false
                }
                group.addTask {
                    do {
                        try await clock.sleep(for: timeout)
                    } catch {
                        return false
                    }
                    // The whole process group: a shell's children die with it.
                    kill(-pid, SIGKILL)
                    return true
                }
                var timedOut = await group.next() ?? false
                group.cancelAll()
                while let result = await group.next() { timedOut = timedOut || result }
                return timedOut
            }
        } onCancel: {
            // The agent is stopping hard: do not leave the command running behind it.
            kill(-pid, SIGKILL)
        }
        let status = await exit.wait()
        let tail = errors.tail(limit: stderrLimit)
        if timedOut {
            kill(-pid, SIGKILL)
            return ExecResult(termination: .timedOut, stderrTail: tail)
        }
        // Children the command left running in its group go with it.
        kill(-pid, SIGKILL)
        if status & 0x7f == 0 { return ExecResult(termination: .exited((status >> 8) & 0xff), stderrTail: tail) }
        return ExecResult(termination: .signalled(status & 0x7f), stderrTail: tail)
    }

    /// The command's stdin, holding `input`, and an empty file for its stderr.
    private static func streams(_ input: [UInt8]) throws(SpawnError) -> (stdin: ScratchFile, stderr: ScratchFile) {
        let directory = FileManager.default.temporaryDirectory.path
        let stdin = try ScratchFile.open(temporaryDirectory: directory)
        do {
            try stdin.fill(with: input)
            return (stdin, try ScratchFile.open(temporaryDirectory: directory))
        } catch {
            stdin.release()
            throw error
        }
    }

    /// Starts the command in a process group of its own (so a timeout can kill what it spawned),
    /// stdin from `stdin`, stdout discarded, stderr into `stderr`, signals at default.
    static func spawn(
        executable: String,
        arguments: [String],
        environment: [String: String],
        stdin: ScratchFile,
        stderr: ScratchFile
    ) throws(SpawnError) -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        posix_spawnattr_setpgroup(&attributes, 0)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        // The agent ignores SIGPIPE; its commands must not inherit that.
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin.descriptor, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, stderr.descriptor, 2)
        // Nothing else of the agent's reaches a command: not the inbox, sockets, or a pipe a
        // supervisor watches to learn that the agent exited.
        closeInheritedDescriptors(&actions)

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv + envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else { throw SpawnError(code: result) }
        return pid
    }

    /// Finds a command the way a shell would: as given when it has a slash, else on `PATH`.
    static func resolve(_ command: String, path: String?) -> String? {
        guard case .found(let executable) = ExecutableLookup.find(command, path: path) else { return nil }
        return executable
    }

}

/// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), looked up at run time because
/// Swift's Glibc module does not import it.
private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
private let addCloseFrom: AddCloseFrom? = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np").map {
    unsafeBitCast($0, to: AddCloseFrom.self)
}

/// Closes every descriptor from 3 up in the child: with `closefrom` where glibc has it, else
/// each descriptor open now.
private func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
    if let addCloseFrom, addCloseFrom(&actions, 3) == 0 { return }
    let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd"))?.compactMap { Int32($0) } ?? []
    for descriptor in open where descriptor > 2 && fcntl(descriptor, F_GETFD) != -1 {
        posix_spawn_file_actions_addclose(&actions, descriptor)
    }
}

/// Why a command could not be started.
struct SpawnError: Error, CustomStringConvertible {
    var code: Int32
    var description: String { String(cString: strerror(code)) }
}

/// Waits for one child's exit status without blocking the concurrency pool: `waitpid` runs on
/// a thread of its own, once, and every waiter gets its result.
final class ChildExit: Sendable {
    private let result: Task<Int32, Never>

    init(pid: pid_t) {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        let thread = Thread {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
            continuation.yield(status)
            continuation.finish()
        }
        thread.start()
        result = Task {
            for await status in stream { return status }
            return -1
        }
    }

    /// The raw `waitpid` status.
    @discardableResult
    func wait() async -> Int32 {
        await result.value
    }
}
