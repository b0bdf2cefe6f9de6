import Foundation

/// How one run of an exec route ended.
public struct ExecResult: Sendable, Equatable {
    public enum Termination: Sendable, Equatable {
        case exited(Int32)
        case signalled(Int32)
        case timedOut
        case failedToStart(String)
    }

    public var termination: Termination
    /// The last bytes the command wrote to stderr, for the delivery's last error.
    public var stderrTail: String

    public var succeeded: Bool { termination == .exited(0) }

    /// A one-line reason for a failed run, fit for `last_error`.
    public var failureDescription: String? {
        let reason: String
        switch termination {
        case .exited(0): return nil
        case .exited(let code): reason = "exit status \(code)"
        case .signalled(let signal): reason = "killed by signal \(signal)"
        case .timedOut: reason = "timed out"
        case .failedToStart(let why): reason = "could not start: \(why)"
        }
        let tail = stderrTail.trimmingCharacters(in: .whitespacesAndNewlines)
        return tail.isEmpty ? reason : "\(reason): \(tail)"
    }

    public init(
        termination: Termination,
        stderrTail: String
    ) {
        self.termination = termination
        self.stderrTail = stderrTail
    }
}
