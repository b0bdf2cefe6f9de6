import Foundation
import HookSync
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real `hooksync` binary, as a user runs it.
enum HookSyncBinary {
    /// The binary built next to the test bundle (`swift build --build-tests` builds both).
    static var path: String { path(of: "hooksync") }

    /// One of the package's executables, built next to the test bundle.
    static func path(of executable: String) -> String {
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent(executable).path
        if FileManager.default.isExecutableFile(atPath: besideTests) { return besideTests }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/\(executable)").path
    }

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs a CLI command to completion; output goes through files so nothing can block.
    /// - Parameter launcher: a command that runs the executable, such as `unshare …`.
    static func run(
        _ arguments: [String],
        in directory: TemporaryDirectory,
        environment: [String: String] = [:],
        executable: String = "hooksync",
        launcher: [String] = []
    ) async throws
        -> Output
    {
        let token = UUID().uuidString
        let out = directory.file("cli-\(token).out")
        let err = directory.file("cli-\(token).err")
        try Data().write(to: URL(fileURLWithPath: out))
        try Data().write(to: URL(fileURLWithPath: err))
        let process = Process()
        let command = launcher + [path(of: executable)] + arguments
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.currentDirectoryURL = URL(fileURLWithPath: directory.path)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
        let status = try await process.runUntilExit()
        return Output(
            status: status,
            stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
        )
    }
}

/// A running agent process, started with a config file in a temporary directory.
final class AgentProcess: @unchecked Sendable {
    let process = Process()
    let directory: TemporaryDirectory
    let config: String
    let dataDirectory: String
    let logPath: String
    private let exit: Task<Int32, Never>

    init(
        config: String,
        dataDirectory: String,
        directory: TemporaryDirectory,
        environment: [String: String] = [:],
        extraArguments: [String] = []
    ) throws {
        self.directory = directory
        self.config = config
        self.dataDirectory = dataDirectory
        logPath = directory.file("agent-\(UUID().uuidString).log")
        try Data().write(to: URL(fileURLWithPath: logPath))
        process.executableURL = URL(fileURLWithPath: HookSyncBinary.path)
        process.arguments = ["run", "--config", config, "--log-level", "debug"] + extraArguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardError = process.standardOutput
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        process.terminationHandler = { process in
            continuation.yield(process.terminationStatus)
            continuation.finish()
        }
        try process.run()
        exit = Task {
            for await status in stream { return status }
            return -1
        }
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Waits for the agent to accept connections; returns `host:port`.
    func waitUntilListening() async throws -> String {
        try await eventually("the agent to listen; log:\n\(log)") {
            AgentLock.running(dataDirectory: dataDirectory)?.listen != nil || !process.isRunning
        }
        guard let address = AgentLock.running(dataDirectory: dataDirectory)?.listen else {
            throw AgentProcessError(message: "agent exited before listening:\n\(log)")
        }
        return address
    }

    func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }

    /// The exit status, waiting at most `timeout`.
    func waitForExit(timeout: Duration = .seconds(20)) async throws -> Int32 {
        try await eventually("the agent to exit; its log ends:\n\(log.suffix(3000))", timeout: timeout) { !process.isRunning }
        return await exit.value
    }
}

struct AgentProcessError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

extension Process {
    /// Starts the process and waits for it without blocking a thread.
    func runUntilExit() async throws -> Int32 {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        terminationHandler = { process in
            continuation.yield(process.terminationStatus)
            continuation.finish()
        }
        try run()
        for await status in stream { return status }
        return -1
    }
}
