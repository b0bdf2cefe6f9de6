import Foundation
import TOMLKit

/// Collects the issues found while reading one file, so that reading goes on past the first
/// problem and `hooksync check` can report them all.
final class ConfigIssueCollector {
    let file: String
    private(set) var issues: [ConfigIssue] = []

    init(file: String) {
        self.file = file
    }

    func report(key: String, value: String?, expected: String) {
        issues.append(ConfigIssue(file: file, key: key, value: value, expected: expected))
    }
}

/// A typed view of one TOML table that reports, rather than throws, what it cannot read.
///
/// Every accessor returns nil for a missing or bad value and records why, with the full dotted
/// key path (`routes[1].backoff.base`), so callers stay a flat list of reads.
struct TOMLReader {
    let table: TOMLTable
    let path: String
    let collector: ConfigIssueCollector

    init(table: TOMLTable, path: String = "", collector: ConfigIssueCollector) {
        self.table = table
        self.path = path
        self.collector = collector
    }

    func key(_ name: String) -> String {
        path.isEmpty ? name : "\(path).\(name)"
    }

    func contains(_ name: String) -> Bool {
        table.contains(key: name)
    }

    func report(_ name: String, value: String?, expected: String) {
        collector.report(key: key(name), value: value, expected: expected)
    }

    /// Reports keys that no reader asked for: a misspelt key would otherwise be silently ignored.
    func rejectUnknownKeys(_ known: Set<String>) {
        for name in table.keys.sorted() where !known.contains(name) {
            report(
                name,
                value: nil,
                expected: "a known key (one of \(known.sorted().joined(separator: ", ")))"
            )
        }
    }

    func string(_ name: String, required: Bool = false, secret: Bool = false) -> String? {
        guard let value = table[name] else {
            if required { report(name, value: nil, expected: "a value (the key is required)") }
            return nil
        }
        guard let string = value.string else {
            report(name, value: secret ? "<hidden>" : Self.render(value), expected: "a string")
            return nil
        }
        return string
    }

    /// A string or a list of strings, which several keys accept for convenience.
    func strings(_ name: String, secret: Bool = false) -> [String]? {
        guard let value = table[name] else { return nil }
        if let string = value.string { return [string] }
        if let array = value.array {
            var result: [String] = []
            for (index, element) in array.enumerated() {
                guard let string = element.string else {
                    collector.report(
                        key: "\(key(name))[\(index)]",
                        value: secret ? "<hidden>" : Self.render(element),
                        expected: "a string"
                    )
                    return nil
                }
                result.append(string)
            }
            return result
        }
        report(name, value: secret ? "<hidden>" : Self.render(value), expected: "a string or a list of strings")
        return nil
    }

    /// Reads `name` with `convert`; reports `expected` when the value is there but unusable.
    private func read<T>(_ name: String, expected: String, _ convert: (any TOMLValueConvertible) -> T?) -> T? {
        guard let value = table[name] else { return nil }
        guard let converted = convert(value) else {
            report(name, value: Self.render(value), expected: expected)
            return nil
        }
        return converted
    }

    func int(_ name: String, in range: ClosedRange<Int>) -> Int? {
        read(name, expected: "a whole number from \(range.lowerBound) to \(range.upperBound)") { value in
            value.int.flatMap { range.contains($0) ? $0 : nil }
        }
    }

    func bool(_ name: String) -> Bool? {
        read(name, expected: "true or false") { $0.bool }
    }

    func duration(_ name: String) -> Duration? {
        read(name, expected: ConfigDuration.expectation) { $0.string.flatMap(ConfigDuration.parse) }
    }

    func byteSize(_ name: String) -> Int? {
        read(name, expected: ByteSize.expectation) { value in
            if let int = value.int { return int >= 0 ? int : nil }
            return value.string.flatMap(ByteSize.parse)
        }
    }

    /// One of an enumeration's raw values, such as a source's `mode`.
    func choice<T: RawRepresentable & CaseIterable>(_ name: String) -> T? where T.RawValue == String {
        read(name, expected: T.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: " or ")) { $0.string.flatMap(T.init) }
    }

    /// An absolute `http://` or `https://` URL, kept exactly as written (signatures may cover it).
    func httpURL(_ name: String) -> String? {
        read(name, expected: "an http:// or https:// URL") { value in
            guard let text = value.string, let url = URL(string: text), let scheme = url.scheme?.lowercased(),
                ["http", "https"].contains(scheme), url.host != nil
            else { return nil }
            return text
        }
    }

    func table(_ name: String) -> TOMLReader? {
        read(name, expected: "a table") { $0.table }.map { TOMLReader(table: $0, path: key(name), collector: collector) }
    }

    /// An array of tables (`[[sources]]`); each element's key path carries its index.
    func tables(_ name: String) -> [TOMLReader] {
        guard let value = table[name] else { return [] }
        guard let array = value.array else {
            report(name, value: Self.render(value), expected: "an array of tables ([[\(name)]])")
            return []
        }
        var readers: [TOMLReader] = []
        for (index, element) in array.enumerated() {
            guard let nested = element.table else {
                collector.report(key: "\(key(name))[\(index)]", value: Self.render(element), expected: "a table")
                continue
            }
            readers.append(TOMLReader(table: nested, path: "\(key(name))[\(index)]", collector: collector))
        }
        return readers
    }

    static func render(_ value: any TOMLValueConvertible) -> String {
        if let string = value.string { return "\"\(string)\"" }
        if value.type == .table { return "{…}" }
        let text = value.debugDescription
        return text.count > 60 ? String(text.prefix(57)) + "…" : text
    }
}

extension TOMLTable {
    /// Parses TOML text, turning a syntax error into a `ConfigIssue` that names the line.
    static func parse(_ text: String, file: String) throws(ConfigError) -> TOMLTable {
        do {
            return try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            let position = error.source.begin
            throw ConfigError(issues: [
                ConfigIssue(
                    file: file,
                    key: "line \(position.line), column \(position.column)",
                    expected: "valid TOML (\(error.description))"
                )
            ])
        } catch {
            throw ConfigError(issues: [ConfigIssue(file: file, key: "(file)", expected: "valid TOML (\(error))")])
        }
    }
}
