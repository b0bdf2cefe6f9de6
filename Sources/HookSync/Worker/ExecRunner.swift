import Foundation

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
        let scratch = FileManager.default.temporaryDirectory
        let token = UUID().uuidString
        let inputURL = scratch.appendingPathComponent("hooksync-\(token).in")
        let errorURL = scratch.appendingPathComponent("hooksync-\(token).err")
        defer {
            try? FileManager.default.removeItem(at: inputURL)
            try? FileManager.default.removeItem(at: errorURL)
        }
        let process = Process()
        let (exits, exited) = AsyncStream<Void>.makeStream()
        do {
            // Owner-only: the files hold an event body and whatever the command says about it.
            let privateFile: [FileAttributeKey: Any] = [.posixPermissions: 0o600]
            guard FileManager.default.createFile(atPath: inputURL.path, contents: Data(input), attributes: privateFile),
                FileManager.default.createFile(atPath: errorURL.path, contents: nil, attributes: privateFile)
            else {
                throw CocoaError(.fileWriteUnknown)
            }
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = Array(command.dropFirst())
            process.environment = environment
            process.standardInput = try FileHandle(forReadingFrom: inputURL)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = try FileHandle(forWritingTo: errorURL)
            process.terminationHandler = { _ in
                exited.yield()
                exited.finish()
            }
            try process.run()
        } catch {
            return ExecResult(termination: .failedToStart("\(command[0]): \(error.localizedDescription)"), stderrTail: "")
        }
        let pid = process.processIdentifier
        let timedOut = await withTaskCancellationHandler {
            await withTaskGroup(of: Bool.self) { group in
                group.addTask {
                    for await _ in exits {}
                    return false
                }
                group.addTask {
                    do {
                        try await clock.sleep(for: timeout)
                    } catch {
                        return false
                    }
                    kill(pid, SIGKILL)
                    return true
                }
                var timedOut = await group.next() ?? false
                group.cancelAll()
                while let result = await group.next() { timedOut = timedOut || result }
                return timedOut
            }
        } onCancel: {
            // The agent is stopping hard: do not leave the command running behind it.
            kill(pid, SIGKILL)
        }
        if !timedOut && process.isRunning {
            // Cancelled before the exit was observed; wait for the kill to land.
            process.waitUntilExit()
        }
        let tail = Self.tail(of: errorURL, limit: stderrLimit)
        if timedOut { return ExecResult(termination: .timedOut, stderrTail: tail) }
        switch process.terminationReason {
        case .exit: return ExecResult(termination: .exited(process.terminationStatus), stderrTail: tail)
        case .uncaughtSignal: return ExecResult(termination: .signalled(process.terminationStatus), stderrTail: tail)
        @unknown default: return ExecResult(termination: .exited(process.terminationStatus), stderrTail: tail)
        }
    }

    /// Finds a command the way a shell would: as given when it has a slash, else on `PATH`.
    static func resolve(_ command: String, path: String?) -> String? {
        if command.contains("/") {
            return FileManager.default.isExecutableFile(atPath: command) ? command : nil
        }
        for directory in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/\(command)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    private static func tail(of url: URL, limit: Int) -> String {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return "" }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        try? handle.seek(toOffset: size > UInt64(limit) ? size - UInt64(limit) : 0)
        let data = (try? handle.readToEnd()) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
