import Foundation

@testable import HookSync
@testable import HookSyncCore

extension VectorCase {
    /// Every vector of the team's reference (`signature-vectors.json`) as a request the provider
    /// would really send, with the provider's other headers from the reference's examples.
    static let reference: [VectorCase] = {
        let stripeAt = Date(timeIntervalSince1970: TimeInterval(Vectors.Stripe.timestamp + 10))
        let stripe = VectorCase(
            name: "stripe",
            provider: "stripe",
            secrets: [Vectors.Stripe.secret],
            wrongSecret: Vectors.Stripe.secretOld,
            headers: [("Content-Type", "application/json; charset=utf-8"), ("Stripe-Signature", Vectors.Stripe.header)],
            body: Array(Vectors.Stripe.body.utf8),
            now: stripeAt,
            signatureHeaders: ["Stripe-Signature"],
            tolerance: 300,
            signedAt: Date(timeIntervalSince1970: TimeInterval(Vectors.Stripe.timestamp)),
            expected: Expected(id: "evt_1PtestABCDEF", type: "customer.created", dedupKey: "evt_1PtestABCDEF")
        )
        var stripeRotation = stripe
        stripeRotation.name = "stripe rotation header, verified by the old secret"
        stripeRotation.secrets = [Vectors.Stripe.secretOld]
        stripeRotation.wrongSecret = "whsec_test_not_either"
        stripeRotation.headers = [("Content-Type", "application/json"), ("Stripe-Signature", Vectors.Stripe.headerRotation)]

        let githubHeaders: [(String, String)] = [
            ("User-Agent", "GitHub-Hookshot/044aadd"), ("Content-Type", "application/json"), ("X-GitHub-Event", "issues"),
            ("X-GitHub-Delivery", Vectors.GitHub.delivery), ("X-GitHub-Hook-ID", Vectors.GitHub.hookID),
            ("X-GitHub-Hook-Installation-Target-Type", "repository"), ("X-GitHub-Hook-Installation-Target-ID", "1296269"),
        ]
        let github = VectorCase(
            name: "github",
            provider: "github",
            secrets: [Vectors.GitHub.secret],
            wrongSecret: "gh_webhook_secret_43",
            headers: githubHeaders + [("X-Hub-Signature", Vectors.GitHub.signatureLegacy), ("X-Hub-Signature-256", Vectors.GitHub.signature256)],
            body: Array(Vectors.GitHub.body.utf8),
            now: stripeAt,
            signatureHeaders: ["X-Hub-Signature", "X-Hub-Signature-256"],
            expected: Expected(id: Vectors.GitHub.delivery, type: "issues.opened", dedupKey: "\(Vectors.GitHub.hookID):\(Vectors.GitHub.delivery)")
        )
        var githubLegacy = github
        githubLegacy.name = "github legacy X-Hub-Signature alone"
        githubLegacy.headers = githubHeaders + [("X-Hub-Signature", Vectors.GitHub.signatureLegacy)]
        var githubDocs = github
        githubDocs.name = "github docs vector (verifies; its body is no event: 400)"
        githubDocs.secrets = [Vectors.GitHub.docSecret]
        githubDocs.headers = [("Content-Type", "application/json"), ("X-Hub-Signature-256", Vectors.GitHub.docHeader)]
        githubDocs.signatureHeaders = ["X-Hub-Signature-256"]
        githubDocs.body = Array(Vectors.GitHub.docBody.utf8)
        githubDocs.expectedStatus = 400
        githubDocs.expected = nil

        let triggeredAt = TimestampFormat.rfc3339.parse(Vectors.Shopify.triggeredAt)!
        let shopify = VectorCase(
            name: "shopify",
            provider: "shopify",
            secrets: [Vectors.Shopify.secret],
            wrongSecret: "shopify_other_client_secret",
            headers: [
                ("Content-Type", "application/json"), ("X-Shopify-Topic", "orders/updated"),
                ("X-Shopify-Hmac-Sha256", Vectors.Shopify.signature), ("X-Shopify-Shop-Domain", "snowdevil.myshopify.com"),
                ("X-Shopify-API-Version", "2025-07"), ("X-Shopify-Webhook-Id", "545ebdd4-b7be-4d3d-b14e-54aa78e0e0f9"),
                ("X-Shopify-Triggered-At", Vectors.Shopify.triggeredAt), ("X-Shopify-Event-Id", Vectors.Shopify.eventID),
            ],
            body: Array(Vectors.Shopify.body.utf8),
            now: triggeredAt.addingTimeInterval(60),
            signatureHeaders: ["X-Shopify-Hmac-Sha256"],
            tolerance: 5 * 3600,
            signedAt: triggeredAt,
            refusesFuture: true,
            expected: Expected(
                id: Vectors.Shopify.eventID,
                type: "orders/updated",
                dedupKey: "gid://shopify/Order/820982911946154508@2025-07-10T12:15:47-04:00"
            )
        )

        let square = VectorCase(
            name: "square",
            provider: "square",
            secrets: [Vectors.Square.signatureKey],
            wrongSecret: "sq_signature_key_example_124",
            webhookURL: Vectors.Square.notificationURL,
            headers: [
                ("Content-Type", "application/json"), ("square-environment", "Production"),
                ("square-initial-delivery-timestamp", "2024-03-01T12:00:01.123Z"), ("x-square-hmacsha256-signature", Vectors.Square.signature),
            ],
            body: Array(Vectors.Square.body.utf8),
            now: stripeAt,
            signatureHeaders: ["x-square-hmacsha256-signature"],
            trailingSlashRefused: true,
            expected: Expected(id: "13b867cf-db3d-4b1c-90b6-2f32a9d78124", type: "payment.created", dedupKey: "13b867cf-db3d-4b1c-90b6-2f32a9d78124")
        )
        var squareLegacy = square
        squareLegacy.name = "square legacy x-square-signature alone"
        squareLegacy.headers = [("Content-Type", "application/json"), ("x-square-signature", Vectors.Square.signatureLegacy)]
        squareLegacy.signatureHeaders = ["x-square-signature"]

        let standardAt = Date(timeIntervalSince1970: TimeInterval(Vectors.StandardWebhooks.timestamp + 10))
        let standardHeaders: [(String, String)] = [
            ("Content-Type", "application/json"), ("webhook-id", Vectors.StandardWebhooks.id),
            ("webhook-timestamp", String(Vectors.StandardWebhooks.timestamp)),
        ]
        let standardExpected = Expected(id: Vectors.StandardWebhooks.id, type: "contact.created", dedupKey: Vectors.StandardWebhooks.id)
        let standard = VectorCase(
            name: "standard-webhooks",
            provider: "standard-webhooks",
            secrets: [Vectors.StandardWebhooks.secret],
            wrongSecret: Vectors.StandardWebhooks.secretOld,
            headers: standardHeaders + [("webhook-signature", Vectors.StandardWebhooks.signature)],
            body: Array(Vectors.StandardWebhooks.body.utf8),
            now: standardAt,
            signatureHeaders: ["webhook-signature"],
            tolerance: 300,
            signedAt: Date(timeIntervalSince1970: TimeInterval(Vectors.StandardWebhooks.timestamp)),
            refusesFuture: true,
            expected: standardExpected
        )
        var standardRotation = standard
        standardRotation.name = "standard-webhooks rotation list, verified by the old secret"
        standardRotation.secrets = [Vectors.StandardWebhooks.secretOld]
        standardRotation.wrongSecret = Vectors.StandardWebhooks.docSecret
        standardRotation.headers = standardHeaders + [("webhook-signature", Vectors.StandardWebhooks.headerRotation)]
        var standardV1a = standard
        standardV1a.name = "standard-webhooks v1a ed25519 with a whpk_ key"
        standardV1a.secrets = [Vectors.StandardWebhooks.publicKey]
        standardV1a.wrongSecret = "whpk_" + Data(repeating: 7, count: 32).base64EncodedString()
        standardV1a.headers = standardHeaders + [("webhook-signature", Vectors.StandardWebhooks.v1a)]
        var svix = standard
        svix.name = "svix headers"
        svix.provider = "svix"
        svix.headers = [
            ("Content-Type", "application/json"), ("svix-id", Vectors.StandardWebhooks.id),
            ("svix-timestamp", String(Vectors.StandardWebhooks.timestamp)), ("svix-signature", Vectors.StandardWebhooks.signature),
        ]
        svix.signatureHeaders = ["svix-signature"]
        var standardDocs = standard
        standardDocs.name = "standard-webhooks docs vector (verifies; its body has no type: 400)"
        standardDocs.secrets = [Vectors.StandardWebhooks.docSecret]
        standardDocs.headers = [
            ("Content-Type", "application/json"), ("webhook-id", Vectors.StandardWebhooks.docID),
            ("webhook-timestamp", String(Vectors.StandardWebhooks.docTimestamp)), ("webhook-signature", Vectors.StandardWebhooks.docSignature),
        ]
        standardDocs.body = Array(Vectors.StandardWebhooks.docBody.utf8)
        standardDocs.now = Date(timeIntervalSince1970: TimeInterval(Vectors.StandardWebhooks.docTimestamp))
        standardDocs.signedAt = standardDocs.now
        standardDocs.expectedStatus = 400
        standardDocs.expected = nil

        let slack = VectorCase(
            name: "slack slash command",
            provider: "slack",
            secrets: [Vectors.Slack.secret],
            wrongSecret: "8f742231b10e8888abcd99yyyzzz85a6",
            headers: [
                ("Content-Type", "application/x-www-form-urlencoded"), ("X-Slack-Request-Timestamp", String(Vectors.Slack.timestamp)),
                ("X-Slack-Signature", Vectors.Slack.signature),
            ],
            body: Array(Vectors.Slack.body.utf8),
            now: Date(timeIntervalSince1970: TimeInterval(Vectors.Slack.timestamp + 5)),
            signatureHeaders: ["X-Slack-Signature"],
            tolerance: 300,
            signedAt: Date(timeIntervalSince1970: TimeInterval(Vectors.Slack.timestamp)),
            refusesFuture: true,
            expected: Expected(
                id: "398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c",
                type: "/webhook-collect",
                dedupKey: "398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
            )
        )

        let twilio = VectorCase(
            name: "twilio voice webhook",
            provider: "twilio",
            secrets: [Vectors.Twilio.authToken],
            wrongSecret: "54321",
            webhookURL: Vectors.Twilio.url,
            query: Vectors.Twilio.query,
            headers: [("Content-Type", "application/x-www-form-urlencoded"), ("X-Twilio-Signature", Vectors.Twilio.signature)],
            body: Array(Vectors.Twilio.body.utf8),
            now: stripeAt,
            signatureHeaders: ["X-Twilio-Signature"],
            trailingSlashRefused: true,
            expected: Expected(id: "CA1234567890ABCDE", type: "twilio.request", dedupKey: "CA1234567890ABCDE")
        )

        return [
            stripe, stripeRotation, github, githubLegacy, githubDocs, shopify, square, squareLegacy, standard, standardRotation,
            standardV1a, svix, standardDocs, slack, twilio,
        ]
    }()
}
