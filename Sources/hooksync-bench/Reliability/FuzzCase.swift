import Crypto
import Foundation

/// Builds the hostile requests: each case a well-formed, correctly signed Stripe request bent
/// one way — garbage, flipped or inserted bytes, cut off, a forged or mangled signature, huge
/// or endless bodies, oversized heads, odd encodings, signed bodies that are not events.
struct FuzzCase {
    /// The shape of request each case starts from; the kinds are taken in turn.
    enum Kind: String, CaseIterable {
        case garbage = "random bytes"
        case flippedBytes = "flipped bytes"
        case insertedBytes = "inserted bytes"
        case truncated = "cut off mid-request"
        case forgedSignature = "forged or mangled signature"
        case hugeLength = "Content-Length far over max_body"
        case endlessChunks = "chunked body over max_body"
        case hugeHead = "oversized header"
        case manyHeaders = "thousands of headers"
        case signedNonsense = "signed body that is not an event (bad UTF-8, deep nesting, not JSON)"
        case chunkedEvent = "valid event, chunked"
        case wrongContentType = "valid signature, wrong content type"
        case oddRequestLine = "odd method, path or version"
    }

    let kind: Kind
    let request: [UInt8]
    /// Half-close after sending, so a cut-off request ends at EOF.
    let finish: Bool
    /// Set for a validly signed event: it may be stored, and only with this body.
    let event: [UInt8]?

    static let canary = "hooksync-canary-body"

    /// An event body in Stripe's shape, carrying the canary the log check looks for.
    static func eventBody(id: String) -> [UInt8] {
        Array(
            """
            {"id":"\(id)","object":"event","api_version":"2024-06-20","created":\(Int(Date().timeIntervalSince1970)),\
            "data":{"object":{"id":"in_fuzz","object":"invoice","description":"\(canary)","amount_paid":4200}},\
            "livemode":false,"type":"invoice.paid"}
            """.utf8
        )
    }

    static func signature(_ body: [UInt8], secret: SymmetricKey, at time: Int = Int(Date().timeIntervalSince1970)) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(time).".utf8) + body, using: secret)
        return "t=\(time),v1=\(SignedEvents.hex(mac))"
    }

    static func request(
        path: String = "/webhooks/shop",
        port: Int,
        body: [UInt8],
        headers: [(String, String)],
        chunked: Bool = false,
        line: String? = nil
    ) -> [UInt8] {
        var head = (line ?? "POST \(path) HTTP/1.1") + "\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if chunked {
            head += "Transfer-Encoding: chunked\r\n\r\n"
            var bytes = Array(head.utf8)
            var offset = 0
            while offset < body.count {
                let piece = body[offset..<min(body.count, offset + 97)]
                bytes += Array((String(piece.count, radix: 16) + "\r\n").utf8) + piece + Array("\r\n".utf8)
                offset += piece.count
            }
            return bytes + Array("0\r\n\r\n".utf8)
        }
        head += "Content-Length: \(body.count)\r\n\r\n"
        return Array(head.utf8) + body
    }

    static func make(_ n: Int, id: String, port: Int, secret: SymmetricKey, using generator: inout SplitMix64) -> FuzzCase {
        let kind = Kind.allCases[n % Kind.allCases.count]
        let body = eventBody(id: id)
        let json = ("Content-Type", "application/json; charset=utf-8")
        let valid = request(port: port, body: body, headers: [json, ("Stripe-Signature", signature(body, secret: secret))])
        func random(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) } }
        switch kind {
        case .garbage:
            return FuzzCase(kind: kind, request: random(Int.random(in: 1...4096, using: &generator)), finish: true, event: nil)
        case .flippedBytes:
            var bytes = valid
            for _ in 0..<Int.random(in: 1...8, using: &generator) {
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] ^= UInt8.random(in: 1...255, using: &generator)
            }
            return FuzzCase(kind: kind, request: bytes, finish: true, event: body)
        case .insertedBytes:
            var bytes = valid
            bytes.insert(contentsOf: random(Int.random(in: 1...64, using: &generator)), at: Int.random(in: 0...bytes.count, using: &generator))
            return FuzzCase(kind: kind, request: bytes, finish: true, event: body)
        case .truncated:
            return FuzzCase(kind: kind, request: Array(valid.prefix(Int.random(in: 1..<valid.count, using: &generator))), finish: true, event: nil)
        case .forgedSignature:
            let forged = [
                "t=\(Int(Date().timeIntervalSince1970)),v1=\(SignedEvents.hex(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(size: .bits256))))",
                "v1=" + String(repeating: "0", count: 64), "t=abc,v1=zz", "", "t=,v1=", String(repeating: "t=1,", count: 2_000),
                signature(body, secret: secret).uppercased(), "t=\(Int.max),v1=00",
            ]
            let value = forged[Int.random(in: 0..<forged.count, using: &generator)]
            return FuzzCase(
                kind: kind,
                request: request(port: port, body: body, headers: [json, ("Stripe-Signature", value)]),
                finish: true,
                event: nil
            )
        case .hugeLength:
            let head =
                "POST /webhooks/shop HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: application/json\r\n"
                + "Stripe-Signature: \(signature(body, secret: secret))\r\nContent-Length: 1000000000000\r\n\r\n"
            return FuzzCase(kind: kind, request: Array(head.utf8) + body, finish: false, event: nil)
        case .endlessChunks:
            let big = [UInt8](repeating: UInt8(ascii: "a"), count: 2 * 1024 * 1024)
            return FuzzCase(
                kind: kind,
                request: request(port: port, body: big, headers: [json, ("Stripe-Signature", signature(big, secret: secret))], chunked: true),
                finish: true,
                event: nil
            )
        case .hugeHead:
            return FuzzCase(
                kind: kind,
                request: request(port: port, body: body, headers: [json, ("X-Padding", String(repeating: "x", count: 200_000))]),
                finish: true,
                event: nil
            )
        case .manyHeaders:
            let headers = (0..<3_000).map { ("X-H\($0)", "v") }
            return FuzzCase(kind: kind, request: request(port: port, body: body, headers: [json] + headers), finish: true, event: nil)
        case .signedNonsense:
            let nonsense: [[UInt8]] = [
                random(Int.random(in: 1...512, using: &generator)),
                Array(#"{"id":"evt_bad_utf8","type":"x","#.utf8) + [0xC3, 0x28, 0xFF] + Array("}".utf8),
                Array(String(repeating: "[", count: 100_000).utf8),
                Array(#"{"id":"evt_nan","type":"invoice.paid","created":NaN}"#.utf8),
                Array(#"{"type":"invoice.paid"}"#.utf8),
                [0xFE, 0xFF] + Array("{}".utf16).flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] },
                Array(#"{"id":17,"type":["a"]}"#.utf8),
            ]
            let bad = nonsense[Int.random(in: 0..<nonsense.count, using: &generator)]
            return FuzzCase(
                kind: kind,
                request: request(port: port, body: bad, headers: [json, ("Stripe-Signature", signature(bad, secret: secret))]),
                finish: true,
                event: nil
            )
        case .chunkedEvent:
            return FuzzCase(
                kind: kind,
                request: request(port: port, body: body, headers: [json, ("Stripe-Signature", signature(body, secret: secret))], chunked: true),
                finish: true,
                event: body
            )
        case .wrongContentType:
            return FuzzCase(
                kind: kind,
                request: request(
                    port: port,
                    body: body,
                    headers: [("Content-Type", "text/plain"), ("Stripe-Signature", signature(body, secret: secret))]
                ),
                finish: true,
                event: nil
            )
        case .oddRequestLine:
            let lines = [
                "GET /webhooks/shop HTTP/1.1", "POST /webhooks/nope HTTP/1.1", "POST /webhooks/../metrics HTTP/1.1",
                "POST /webhooks/shop HTTP/9.9", "POST /webhooks/" + String(repeating: "a", count: 20_000) + " HTTP/1.1",
                "BREW /webhooks/shop HTTP/1.1", "POST /webhooks/shop%00 HTTP/1.1", "POST /webhooks/shop",
            ]
            let line = lines[Int.random(in: 0..<lines.count, using: &generator)]
            return FuzzCase(
                kind: kind,
                request: request(port: port, body: body, headers: [json, ("Stripe-Signature", signature(body, secret: secret))], line: line),
                finish: true,
                event: body
            )
        }
    }
}
