import Foundation
import GRDB

/// A directory under the PowerCut library (`Sources/PowerCut`): the processes given
/// `environment` write to `live`, and `image` receives each file's writes only when that file
/// is synced, as a disk would. After a kill, `image` is what a power cut left.
struct PowerCut {
    /// The directory the processes use (an agent's `data_dir`).
    let live: String
    /// What the disk holds.
    let image: String
    /// The ranges written and not yet synced, which the library keeps beside the image.
    private var pending: String { "\(image).pending" }
    private let library: String
    private let scratch: String
    private var checks = 0

    /// - Parameter library: the built `libPowerCut.so`; it sits beside the agent binary.
    init(directory: String, library: String) throws {
        guard FileManager.default.fileExists(atPath: library) else {
            throw BenchError("no power-cut library at \(library): `swift build` builds it beside the agent binary")
        }
        self.library = library
        live = "\(directory)/live"
        image = "\(directory)/image"
        scratch = directory
        for path in [live, image, "\(image).pending"] {
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
    }

    /// What each process writing to `live` runs with.
    var environment: [String: String] {
        ["LD_PRELOAD": library, "POWERCUT_DIR": live, "POWERCUT_IMAGE": image]
    }

    /// After the cut: `live` becomes what survived, for the next start, and the writes that
    /// were pending died with the power.
    func restore() throws {
        try FileManager.default.removeItem(atPath: live)
        try FileManager.default.copyItem(atPath: image, toPath: live)
        try FileManager.default.removeItem(atPath: pending)
        try FileManager.default.createDirectory(atPath: pending, withIntermediateDirectories: true)
    }

    /// Opens a copy of what survived, as the next start would (SQLite recovers from its
    /// write-ahead log), so that reading it changes neither `image` nor `live`; checks its
    /// integrity and runs `body` on it.
    mutating func survivor<T>(_ file: String, _ body: (Database) throws -> T) throws -> (integrity: String, T) {
        checks += 1
        let copy = "\(scratch)/survivor-\(checks)"
        try? FileManager.default.removeItem(atPath: copy)
        try FileManager.default.copyItem(atPath: image, toPath: copy)
        defer { try? FileManager.default.removeItem(atPath: copy) }
        let queue = try DatabaseQueue(path: "\(copy)/\(file)")
        return try queue.writeWithoutTransaction { db in
            let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ")
            return (integrity, try body(db))
        }
    }
}
