public import Foundation

/// Where an exec route's command is found, the way the worker runs it: a command containing a
/// slash as written, a bare name searched in `PATH`. One lookup serves `hooksync check`, which
/// refuses a command that cannot run, and the worker, which runs it.
public enum ExecutableLookup {
    public enum Result: Sendable, Equatable {
        case found(String)
        /// No file by that path, or no such program on `PATH`.
        case missing
        /// A file that exists but may not be run (no execute permission, or a directory).
        case notExecutable(String)
    }

    /// The search path when the environment has none, as the shell's default.
    public static let defaultPath = "/usr/local/bin:/usr/bin:/bin"

    public static func find(_ command: String, path: String?) -> Result {
        let candidates =
            command.contains("/") ? [command] : (path ?? defaultPath).split(separator: ":").map { "\($0.isEmpty ? "." : $0)/\(command)" }
        var blocked: String?
        for candidate in candidates {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory) else { continue }
            if !isDirectory.boolValue && FileManager.default.isExecutableFile(atPath: candidate) { return .found(candidate) }
            blocked = blocked ?? candidate
        }
        return blocked.map(Result.notExecutable) ?? .missing
    }
}
