import Foundation
import GRDB
import HookSyncCore

extension DeadLetterFilter {
    /// The SQL condition over `dead_letter l`, `delivery d` and `event e`, with its arguments.
    /// The type glob is applied afterwards, in Swift, where its matching is defined.
    var condition: (sql: String, arguments: StatementArguments) {
        var clauses = ["1"]
        var arguments = StatementArguments()
        if !events.isEmpty {
            let marks = databaseQuestionMarks(count: events.count)
            clauses.append("(e.event_id IN (\(marks)) OR e.dedup_key IN (\(marks)))")
            arguments += StatementArguments(events + events)
        }
        if let source {
            clauses.append("e.source = ?")
            arguments += [source]
        }
        if let route {
            clauses.append("d.route = ?")
            arguments += [route]
        }
        if let since {
            clauses.append("l.failed_at >= ?")
            arguments += [since.timeIntervalSince1970]
        }
        if let before {
            clauses.append("l.failed_at < ?")
            arguments += [before.timeIntervalSince1970]
        }
        return (clauses.joined(separator: " AND "), arguments)
    }
}
