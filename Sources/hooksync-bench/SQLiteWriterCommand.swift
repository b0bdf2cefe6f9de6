import ArgumentParser
import Foundation
import GRDB

/// The power-cut scenario's reference writer: one row per commit into a SQLite file in WAL
/// mode, each row's id printed once its commit returned. Run with `synchronous` `NORMAL` or
/// `OFF` it acknowledges rows a power cut loses, which the scenario must catch to be trusted.
struct SQLiteWriterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sqlite-writer",
        abstract: "Commit rows one by one to a SQLite file in WAL mode, printing each id after its commit; runs until killed."
    )

    @Option(help: "The database file.")
    var database: String

    @Option(help: "PRAGMA synchronous: FULL, NORMAL or OFF.")
    var synchronous = "FULL"

    func validate() throws {
        guard ["FULL", "NORMAL", "OFF"].contains(synchronous) else {
            throw ValidationError("--synchronous \(synchronous): expected FULL, NORMAL or OFF")
        }
    }

    func run() throws {
        var configuration = Configuration()
        let synchronous = synchronous
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = \(synchronous)") }
        let queue = try DatabaseQueue(path: database, configuration: configuration)
        try queue.writeWithoutTransaction { db in
            _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "CREATE TABLE IF NOT EXISTS row (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        }
        // What SQLite runs with, as it reports it (0 OFF, 1 NORMAL, 2 FULL), for the scenario to check.
        let inForce = try queue.read { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") } ?? -1
        FileHandle.standardOutput.write(Data("synchronous \(inForce)\n".utf8))
        let body = String(repeating: "x", count: 200)
        var id = 0
        while true {
            id += 1
            try queue.write { db in try db.execute(sql: "INSERT INTO row (id, body) VALUES (?, ?)", arguments: [id, body]) }
            FileHandle.standardOutput.write(Data("\(id)\n".utf8))
        }
    }
}
