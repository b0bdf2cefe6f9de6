import Foundation
import Testing

@testable import HookSync
@testable import HookSyncCore

/// The unit file and `make install`/`uninstall`, checked with the tools an operator would use.
@Suite struct InstallTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func run(_ executable: String, _ arguments: [String]) async throws -> HookSyncBinary.Output {
        let directory = try TemporaryDirectory()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = root
        let out = directory.file("out")
        let err = directory.file("err")
        FileManager.default.createFile(atPath: out, contents: nil)
        FileManager.default.createFile(atPath: err, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
        _ = try await process.runUntilExit()
        return HookSyncBinary.Output(
            status: process.terminationStatus,
            stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
        )
    }

    @Test func systemdAnalyzeAcceptsTheUnit() async throws {
        let analyze = "/usr/bin/systemd-analyze"
        try #require(FileManager.default.isExecutableFile(atPath: analyze), "make test installs Debian's systemd package")
        let directory = try TemporaryDirectory()
        let unit = try String(contentsOf: Self.root.appendingPathComponent("systemd/hooksync.service"), encoding: .utf8)
        let path = try directory.write("hooksync.service", unit.replacingOccurrences(of: "/usr/local/bin/hooksync", with: HookSyncBinary.path))
        let result = try await Self.run(analyze, ["verify", path])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.isEmpty, "\(result.stderr)")
    }

    @Test func makeInstallStagesEverythingAndUninstallRemovesIt() async throws {
        let stage = try TemporaryDirectory()
        let install = try await Self.run("/usr/bin/make", ["-s", "install", "DESTDIR=\(stage.path)", "PREFIX=/usr", "BINARY=\(HookSyncBinary.path)"])
        #expect(install.status == 0, "\(install.stderr)")
        let expected = [
            "usr/bin/hooksync", "usr/share/hooksync/providers/stripe.toml", "usr/share/hooksync/providers/README.md",
            "usr/share/hooksync/hooksync.example.toml", "usr/share/doc/hooksync/README.md", "etc/systemd/system/hooksync.service",
        ]
        for file in expected { #expect(FileManager.default.fileExists(atPath: stage.file(file)), "\(file) missing") }
        let unit = try String(contentsOfFile: stage.file("etc/systemd/system/hooksync.service"), encoding: .utf8)
        #expect(unit.contains("ExecStart=/usr/bin/hooksync run --config /etc/hooksync/hooksync.toml"))
        let installed = try await Self.run(stage.file("usr/bin/hooksync"), ["--version"])
        #expect(installed.stdout == HookSyncVersion.string + "\n")

        let uninstall = try await Self.run("/usr/bin/make", ["-s", "uninstall", "DESTDIR=\(stage.path)", "PREFIX=/usr"])
        #expect(uninstall.status == 0, "\(uninstall.stderr)")
        for file in expected { #expect(!FileManager.default.fileExists(atPath: stage.file(file)), "\(file) left behind") }
    }
}
