import Crypto
import Foundation
import HookSyncTesting
import NIOCore
import NIOHTTP1

/// Stripe `invoice.paid` events, signed as Stripe signs them (`t=…,v1=HMAC-SHA256(t.body)`)
/// with a fresh timestamp; or, for the peer comparison, GitHub's `X-Hub-Signature-256`.
struct SignedEvents: RequestMaker {
    enum Signature: Sendable {
        case stripe
        case hub
    }

    var path: String
    var host: String
    var secret: SymmetricKey
    var signature: Signature = .stripe
    /// Distinguishes this run's event ids from an earlier run's.
    var run: String
    /// Every other request repeats an earlier event, byte for byte, as a provider's retry does.
    var repeats = false
    var type = "invoice.paid"
    /// Only these events, again and again: a retry storm of what is already stored.
    var replayKeys: [Int]?
    let created = Int(Date().timeIntervalSince1970)

    func request(_ n: Int) -> LoadRequest {
        let key =
            if let replayKeys, !replayKeys.isEmpty {
                replayKeys[n % replayKeys.count]
            } else if repeats {
                n.isMultiple(of: 2) ? n / 2 : Int.random(in: 0..<max(1, n / 2))
            } else {
                n
            }
        let body = Self.body(id: eventID(key), key: key, type: type, created: created)
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: host)
        headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        headers.add(name: "Content-Length", value: String(body.count))
        switch signature {
        case .stripe:
            let timestamp = String(Int(Date().timeIntervalSince1970))
            let mac = HMAC<SHA256>.authenticationCode(for: Array((timestamp + ".").utf8) + body, using: secret)
            headers.add(name: "User-Agent", value: "Stripe/1.0 (+https://stripe.com/docs/webhooks)")
            headers.add(name: "Stripe-Signature", value: "t=\(timestamp),v1=\(Self.hex(mac))")
        case .hub:
            let mac = HMAC<SHA256>.authenticationCode(for: body, using: secret)
            headers.add(name: "User-Agent", value: "GitHub-Hookshot/bench")
            headers.add(name: "X-Hub-Signature-256", value: "sha256=\(Self.hex(mac))")
        }
        let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: path, headers: headers)
        return LoadRequest(head: head, body: ByteBuffer(bytes: body), key: key)
    }

    func eventID(_ key: Int) -> String { "evt_\(run)_\(key)" }

    /// The key an event id of this run names, or nil for another run's id.
    func key(ofEventID id: String) -> Int? {
        let prefix = "evt_\(run)_"
        return id.hasPrefix(prefix) ? Int(id.dropFirst(prefix.count)) : nil
    }

    /// About 1 KB, the shape and size of a real `invoice.paid` event.
    static func body(id: String, key: Int, type: String, created: Int) -> [UInt8] {
        let json = """
            {"id":"\(id)","object":"event","api_version":"2024-06-20","created":\(created),"data":{"object":\
            {"id":"in_\(key)","object":"invoice","account_country":"US","account_name":"Bench Shop","amount_due":2000,\
            "amount_paid":2000,"amount_remaining":0,"attempt_count":1,"attempted":true,"billing_reason":"subscription_cycle",\
            "collection_method":"charge_automatically","currency":"usd","customer":"cus_\(key)",\
            "customer_email":"buyer\(key)@example.com","hosted_invoice_url":"https://invoice.stripe.com/i/acct_1Bench/test_\(key)",\
            "lines":{"object":"list","data":[{"id":"il_\(key)","object":"line_item","amount":2000,"currency":"usd",\
            "description":"1 × Pro plan (at $20.00 / month)","period":{"end":\(created + 2_592_000),"start":\(created)},\
            "quantity":1,"type":"subscription"}],"has_more":false,"total_count":1,"url":"/v1/invoices/in_\(key)/lines"},\
            "livemode":false,"number":"BENCH-\(key)","paid":true,"status":"paid","subscription":"sub_\(key)",\
            "subtotal":2000,"total":2000}},"livemode":false,"pending_webhooks":1,\
            "request":{"id":null,"idempotency_key":null},"type":"\(type)"}
            """
        return Array(json.utf8)
    }

    static func hex(_ mac: HashedAuthenticationCode<SHA256>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in mac {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
