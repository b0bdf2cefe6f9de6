import Foundation

/// A process the bench starts and measures: the agent, a baseline server, a mock or a peer.
final class ChildProcess {
    let name: String
    let process = Process()

    init(name: String, executable: String, arguments: [String], environment: [String: String] = [:], log: String) throws {
        self.name = name
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        FileManager.default.createFile(atPath: log, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }

    /// CPU time and memory as the kernel accounts them now.
    func sample() throws -> ProcessSample {
        try ProcessSample.read(pid: pid)
    }

    /// SIGTERM, as systemd stops a service, and waits for the exit.
    func stop() async {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = ContinuousClock.now + .seconds(30)
        while process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning { kill(pid, SIGKILL) }
    }
}

/// One reading of `/proc/<pid>/stat` and `/proc/<pid>/status`.
struct ProcessSample: Sendable {
    var cpuSeconds: Double
    var rssBytes: Int
    var peakRSSBytes: Int

    static func read(pid: Int32) throws -> ProcessSample {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // The command name may hold spaces; the fields after it are positional.
        guard let close = stat.lastIndex(of: ")") else { throw BenchError("unreadable /proc/\(pid)/stat") }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else {
            throw BenchError("unreadable /proc/\(pid)/stat")
        }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        func kilobytes(_ key: String) -> Int {
            let line = status.split(separator: "\n").first { $0.hasPrefix(key + ":") } ?? ""
            return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
        }
        return ProcessSample(cpuSeconds: (user + system) / ticks, rssBytes: kilobytes("VmRSS"), peakRSSBytes: kilobytes("VmHWM"))
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
