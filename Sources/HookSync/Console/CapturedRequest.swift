import Foundation
public import HTTPTypes
import HookSyncCore

/// A webhook request saved by an operator, for `hooksync verify`: headers as they appear in
/// a capture (`Name: value` lines, optionally after the request line) or as a JSON object.
public struct CapturedRequest: Sendable {
    public var headers: HTTPFields
    /// The query string of the request line, which Square and Twilio signatures cover.
    public var query: String?

    /// Parses a headers file. A request line (`POST /webhooks/x?a=1 HTTP/1.1`) is optional;
    /// reading stops at the first blank line after a header, so a whole saved request works too.
    public init(headersFile text: String) throws(CapturedRequestError) {
        headers = HTTPFields()
        query = nil
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("{") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8)) as? [String: Any] else {
                throw CapturedRequestError("the headers file looks like JSON but is not an object of strings")
            }
            for (name, value) in object.sorted(by: { $0.key < $1.key }) {
                guard let field = HTTPField.Name(name), let value = value as? String else {
                    throw CapturedRequestError("header \"\(name)\" is not a valid name with a string value")
                }
                headers.append(HTTPField(name: field, value: value))
            }
            return
        }
        // "\r\n" is one Character, so split on any newline character rather than on "\n".
        for (number, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            if line.trimmingCharacters(in: .whitespaces).isEmpty {
                if headers.isEmpty { continue } else { break }
            }
            if headers.isEmpty && query == nil, let target = Self.requestTarget(line) {
                query = target.split(separator: "?", maxSplits: 1).dropFirst().first.map(String.init)
                continue
            }
            guard let colon = line.firstIndex(of: ":"), let name = HTTPField.Name(String(line[..<colon])) else {
                throw CapturedRequestError("line \(number + 1) is not \"Name: value\"")
            }
            headers.append(HTTPField(name: name, value: line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        guard !headers.isEmpty else { throw CapturedRequestError("the headers file holds no headers") }
    }

    /// The target of an HTTP request line such as `POST /webhooks/x?a=1 HTTP/1.1`.
    private static func requestTarget(_ line: Substring) -> Substring? {
        let parts = line.split(separator: " ")
        guard parts.count == 3, parts[2].hasPrefix("HTTP/"), parts[0].allSatisfy(\.isUppercase) else { return nil }
        return parts[1]
    }
}

/// A headers file that cannot be read; the message says which line.
public struct CapturedRequestError: Error, Sendable, CustomStringConvertible {
    public var description: String

    init(_ description: String) {
        self.description = description
    }

    public static func unreadable(_ path: String) -> CapturedRequestError {
        CapturedRequestError("cannot read \(path)")
    }
}
