import Foundation

/// Signature test vectors checked against the providers' official SDKs (stripe-python 16.1.0,
/// standardwebhooks 1.1.0, svix 2.9.1, squareup 46.0.0, slack_sdk 3.47.0, twilio 9.13.0) or
/// published in their docs, copied from the team's reference (`signature-vectors.json`) so that
/// tests do not read files outside the repository.
enum Vectors {
    enum Stripe {
        static let secret = "whsec_test_7f3b9c2e1a4d5f6e8b0c1d2e3f4a5b6c"
        static let timestamp = 1_700_000_000
        static let body =
            #"{"id":"evt_1PtestABCDEF","object":"event","api_version":"2024-06-20","created":1700000000,"data":{"object":{"id":"cus_Test123","object":"customer","email":"jenny@example.com"}},"livemode":false,"pending_webhooks":1,"request":{"id":"req_abc123","idempotency_key":null},"type":"customer.created"}"#
        static let header = "t=1700000000,v1=bc507fc2cd000e2060cbd4650c58ebb229c88821afcd44a9abb8b4edd686f9c3"
        static let secretOld = "whsec_test_old_00112233445566778899aabbccddeeff"
        static let headerRotation =
            "t=1700000000,v1=bc507fc2cd000e2060cbd4650c58ebb229c88821afcd44a9abb8b4edd686f9c3,v1=0c9678dde3b2d00e7b24ccfea1d2ace717a390369caf320026fbcdcf8725aea2,v0=0000000000000000000000000000000000000000000000000000000000000000"
    }

    enum StandardWebhooks {
        static let docSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        static let docID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
        static let docTimestamp = 1_614_265_330
        static let docBody = #"{"test": 2432232314}"#
        static let docSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

        static let secret = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
        static let secretOld = "whsec_ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+f4CBgoM="
        static let id = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"
        static let timestamp = 1_674_087_231
        static let body =
            #"{"type":"contact.created","timestamp":"2022-11-03T20:26:10.344522Z","data":{"id":"1f81eb52-5198-4599-803e-771906343485"}}"#
        static let signature = "v1,4PMU5Dl90B4kgwxDpwuMZ/cnZ5ztf+Y+kviYQD66rJg="
        static let headerRotation =
            "v1,4kZEUtbZ8C8E98FTo3UIsYdIlo7QRHDtR5uOHQ8KQBs= v1,4PMU5Dl90B4kgwxDpwuMZ/cnZ5ztf+Y+kviYQD66rJg="
        static let v1a = "v1a,9WMPN5fBW9vm1uGlvFzBO4lpdfFKN4AQCSr2vrWsFuOibXSOTWlcWrPRSWk+YpmD9fAwgYREKtLcYCyZrvXFBw=="
        static let publicKey = "whpk_A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg="
    }

    enum GitHub {
        static let docSecret = "It's a Secret to Everybody"
        static let docBody = "Hello, World!"
        static let docHeader = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
        static let secret = "gh_webhook_secret_42"
        static let body =
            #"{"action":"opened","issue":{"number":1347,"title":"Found a bug"},"repository":{"id":1296269,"full_name":"octocat/Hello-World"},"sender":{"login":"octocat","id":1}}"#
        static let signature256 = "sha256=c3afe344b5590246008889ab4ff215c15bcefa012fabe504577ec685f6744454"
        static let signatureLegacy = "sha1=36a76eded39b86dfb4cbe3288df28af1d961b6cd"
        static let delivery = "72d3162e-cc78-11e3-81ab-4c9367dc0958"
        static let hookID = "292430182"
    }

    enum Shopify {
        static let secret = "shopify_app_client_secret_example"
        static let body =
            ##"{"id":820982911946154508,"admin_graphql_api_id":"gid://shopify/Order/820982911946154508","name":"#9999","financial_status":"paid","updated_at":"2025-07-10T12:15:47-04:00"}"##
        static let signature = "ay8QJtoMc/N4cvLfIqbF6SB66LGfQ4P3+sb1oynjBgY="
        static let triggeredAt = "2025-07-10T16:15:47.000000Z"
        static let eventID = "59d6d79c-595f-4e7e-bc6f-72f5c3d0c66f"
        /// The same order state as `orders.json` returns it when polled (reference §3.4).
        static let polledOrder =
            ##"{"id": 820982911946154508, "admin_graphql_api_id": "gid://shopify/Order/820982911946154508", "name": "#9999", "financial_status": "paid", "created_at": "2025-07-10T11:02:10-04:00", "updated_at": "2025-07-10T12:15:47-04:00", "cancelled_at": null}"##
    }

    enum Square {
        static let signatureKey = "sq_signature_key_example_123"
        static let notificationURL = "https://example.com/webhooks/square"
        static let body =
            #"{"merchant_id":"6SSW7HV8K2ST5","type":"payment.created","event_id":"13b867cf-db3d-4b1c-90b6-2f32a9d78124","created_at":"2024-03-01T12:00:00.000Z","data":{"type":"payment","id":"KkAkhdMsgzn59SM8A89WgKwekxLZY","object":{"payment":{"id":"KkAkhdMsgzn59SM8A89WgKwekxLZY","status":"APPROVED"}}}}"#
        static let signature = "UeMaq0h0KC/Y1wwcDIrKOYOZLDnZcIXVyyYY8k7du8I="
        static let signatureLegacy = "O5oT4yVchpaWwSoDPlESGSYbt68="
    }

    enum Slack {
        static let secret = "8f742231b10e8888abcd99yyyzzz85a5"
        static let timestamp = 1_531_420_618
        static let body =
            "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
        static let signature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    }

    enum Twilio {
        static let authToken = "12345"
        static let url = "https://mycompany.com/myapp.php"
        static let query = "foo=1&bar=2"
        static let body = "CallSid=CA1234567890ABCDE&Caller=%2B12349013030&Digits=1234&From=%2B12349013030&To=%2B18005551212"
        static let signature = "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    }
}
