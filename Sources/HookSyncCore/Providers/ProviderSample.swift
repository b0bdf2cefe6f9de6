import Foundation
public import HTTPTypes
import TOMLKit

/// The `[sample]` table: a template for `hooksync send-test`, filled in with `{{id}}`,
/// `{{type}}`, `{{unix}}` and `{{rfc3339}}`.
public struct ProviderSample: Sendable {
    public var type: String
    public var idPrefix: String
    public var body: String
    /// Headers the provider sends besides its signature, such as GitHub's `X-GitHub-Event`.
    public var headers: [(name: HTTPField.Name, value: String)]
}

extension ProviderSample {
    init?(reading table: TOMLReader) {
        table.rejectUnknownKeys(["type", "id_prefix", "body", "headers"])
        var headers: [(HTTPField.Name, String)] = []
        if let headerTable = table.table("headers") {
            for name in headerTable.table.keys.sorted() {
                guard let field = HTTPField.Name(name) else {
                    headerTable.report(name, value: nil, expected: "an HTTP header name")
                    continue
                }
                if let value = headerTable.string(name) { headers.append((field, value)) }
            }
        }
        guard let type = table.string("type", required: true), let body = table.string("body", required: true) else { return nil }
        self.init(type: type, idPrefix: table.string("id_prefix") ?? "evt_test_", body: body, headers: headers)
    }

    /// Fills the placeholders of a sample string. A `{{form_base64}}…{{/form_base64}}` section
    /// becomes its filled text in base64, broken into lines as Braintree sends its payload and
    /// escaped for a form field.
    package func fill(_ text: String, id: String, type: String, unix: String, rfc3339: String) -> String {
        var filled = text.replacingOccurrences(of: "{{id}}", with: id)
            .replacingOccurrences(of: "{{type}}", with: type)
            .replacingOccurrences(of: "{{unix}}", with: unix)
            .replacingOccurrences(of: "{{rfc3339}}", with: rfc3339)
        while let open = filled.range(of: "{{form_base64}}"),
            let close = filled.range(of: "{{/form_base64}}", range: open.upperBound..<filled.endIndex)
        {
            let encoded = Data(filled[open.upperBound..<close.lowerBound].utf8).base64EncodedString(options: [
                .lineLength76Characters, .endLineWithLineFeed,
            ])
            let field = (encoded + "\n").addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? encoded
            filled.replaceSubrange(open.lowerBound..<close.upperBound, with: field)
        }
        return filled
    }
}
