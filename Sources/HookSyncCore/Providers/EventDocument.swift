import Crypto
import Foundation
public import HTTPTypes

/// A verified request as provider files address it: its headers, and its body parsed into a
/// tree that JSON pointers walk (a JSON document, or a form's fields as a flat object).
public struct EventDocument {
    public var headers: HTTPFields
    /// A `JSONSerialization` tree: `[String: Any]`, `[Any]`, `String`, `NSNumber` or `NSNull`.
    public var body: Any

    public init(headers: HTTPFields = HTTPFields(), body: Any) {
        self.headers = headers
        self.body = body
    }

    /// Parses a JSON body, building only what `projection` keeps (every byte is checked);
    /// nil unless it is a JSON object or array.
    public init?(headers: HTTPFields = HTTPFields(), json: some Collection<UInt8>, keeping projection: JSONProjection = .everything) {
        guard let tree = try? JSONTree.parse(json, keeping: projection),
            tree is [String: Any] || tree is [Any]
        else { return nil }
        self.init(headers: headers, body: tree)
    }

    /// The value a field source designates, or nil when absent or JSON `null`.
    func value(at source: FieldSource) -> Any? {
        switch source {
        case .body(let pointer):
            let value = pointer.resolve(in: body)
            return value is NSNull ? nil : value
        case .header(let name):
            return headers[name]
        case .digest(let pointer):
            guard let value = pointer.resolve(in: body), !(value is NSNull), let json = JSONTree.serialize(value) else { return nil }
            return HexEncoding.encode(Array(SHA256.hash(data: json)))
        }
    }

    /// The value as text, for ids, types and keys: strings as they are, integers with their
    /// exact digits. Empty strings, objects and arrays count as absent.
    public func text(at source: FieldSource) -> String? {
        switch value(at: source) {
        case let string as String: string.isEmpty ? nil : string
        case let number as NSNumber: number.stringValue
        default: nil
        }
    }
}
