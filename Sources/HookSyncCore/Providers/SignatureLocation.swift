import Foundation
public import HTTPTypes

/// Where a provider puts a signature or its timestamp: a header, a numbered series of headers,
/// or a field inside the body.
///
/// DocuSign sends one `X-DocuSign-Signature-<n>` header per active key; Mailgun puts its
/// signature and timestamp in the JSON body itself.
public enum SignatureLocation: Sendable, Hashable, CustomStringConvertible {
    case header(HTTPField.Name)
    /// `X-DocuSign-Signature-1`, `-2`, …: the text around `{n}`, numbered from 1 until one is absent.
    case numberedHeaders(before: String, after: String)
    case field(JSONPointer)

    /// The most numbered headers read, so a request cannot make the check loop for long.
    static let maxNumberedHeaders = 16

    /// Parses `Name`, `Name-{n}` or a JSON pointer (`/signature/token`).
    init?(_ text: String) {
        if text.hasPrefix("/") {
            guard let pointer = JSONPointer(text) else { return nil }
            self = .field(pointer)
        } else if let range = text.range(of: "{n}") {
            let before = String(text[..<range.lowerBound])
            let after = String(text[range.upperBound...])
            guard HTTPField.Name(before + "1" + after) != nil else { return nil }
            self = .numberedHeaders(before: before, after: after)
        } else if let name = HTTPField.Name(text) {
            self = .header(name)
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .header(let name): name.rawName
        case .numberedHeaders(let before, let after): before + "{n}" + after
        case .field(let pointer): pointer.description
        }
    }

    /// What a failure calls it: a header, or a body field.
    var label: String {
        switch self {
        case .header, .numberedHeaders: description
        case .field(let pointer): "body field \(pointer)"
        }
    }

    var readsBody: Bool {
        if case .field = self { true } else { false }
    }

    /// Every value present, in order; empty when there is none.
    func values(in request: WebhookRequest, document: EventDocument?) -> [String] {
        switch self {
        case .header(let name):
            // A header sent twice (Mollie's during a rotation) arrives as two fields, or as one
            // joined by commas: no digest or prefix holds a comma.
            return request.headers[fields: name].flatMap { $0.value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        case .numberedHeaders(let before, let after):
            var values: [String] = []
            for number in 1...Self.maxNumberedHeaders {
                guard let name = HTTPField.Name(before + String(number) + after), let value = request.headers[name] else { break }
                values.append(value)
            }
            return values
        case .field(let pointer):
            return document?.text(at: .body(pointer)).map { [$0] } ?? []
        }
    }

    /// The header a provider signing a request sets: the first of a series.
    var firstHeader: HTTPField.Name? {
        switch self {
        case .header(let name): name
        case .numberedHeaders(let before, let after): HTTPField.Name(before + "1" + after)
        case .field: nil
        }
    }
}

extension EventDocument {
    /// A request body made addressable for a signature that reads fields of it: a form's
    /// fields as a flat object, otherwise JSON. Nil when it is neither.
    public init?(signed request: WebhookRequest) {
        if MediaType.essence(of: request.headers[.contentType]) == "application/x-www-form-urlencoded" {
            self.init(headers: request.headers, body: FormEncoding.object(request.body))
        } else {
            self.init(headers: request.headers, json: request.body)
        }
    }
}
