import Foundation

/// Signature test vectors checked against the providers' official SDKs (stripe-python 16.1.0,
/// standardwebhooks 1.1.0, svix 2.9.1), copied from the team's reference so that tests do not
/// read files outside the repository.
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
    }
}
