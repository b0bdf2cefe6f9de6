#!/usr/bin/env python3
"""Regenerates sdk-vectors.json: signed webhook requests for the cases the team's reference
vectors do not cover, each signed and then verified by the provider's official SDK.

Run by hand (`make vectors`, which installs requirements.txt into a virtual environment);
the output is committed and read by ProviderVectorTests. Every case records which SDK
produced and checked it. Where a provider has no official Python verifier (GitHub, Shopify,
Square's legacy header, Standard Webhooks v1a), the case is computed from the documented
algorithm with hmac/cryptography and says so.
"""
import base64
import hashlib
import hmac
import json
import sys
import urllib.parse
from datetime import datetime, timezone
from pathlib import Path
from unittest import mock

import razorpay
import slack_sdk.signature
import square.utils.webhooks_helper as square_helper
import standardwebhooks.webhooks as stdwh
import stripe
import svix.webhooks
import twilio.request_validator
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

NOW = 1_763_800_000  # 2025-11-22T08:26:40Z: every case is signed at this time
cases = []


def add(**case):
    cases.append(case)


def frozen_std_clock():
    """standardwebhooks reads datetime.now(); freeze it at NOW for verification."""

    class Frozen(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.fromtimestamp(NOW, tz=tz)

    return mock.patch.object(stdwh, "datetime", Frozen)


def version(module):
    return f"{module} {__import__('importlib.metadata').metadata.version(module)}"


# Stripe really sends indented JSON: the signature covers those exact bytes.
stripe_secret = "whsec_sdk_vectors_4f1c2a9b8e7d6c5b4a39281706f5e4d3"
stripe_body = json.dumps(
    {
        "id": "evt_1SdkVectorPretty",
        "object": "event",
        "api_version": "2024-06-20",
        "created": NOW - 2,
        "data": {"object": {"id": "in_1SdkVector", "object": "invoice", "amount_due": 1999, "customer_name": "Zoë Ünïcode"}},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": "invoice.paid",
    },
    indent=2,
    ensure_ascii=False,
)
stripe_header = stripe.WebhookSignature.generate_signature_header(stripe_body, stripe_secret, timestamp=NOW)
stripe.WebhookSignature.verify_header(stripe_body, stripe_header, stripe_secret, tolerance=None)
add(
    name="stripe: indented UTF-8 body as Stripe sends it",
    provider="stripe",
    sdk=version("stripe") + " generate_signature_header + verify_header",
    secrets=[stripe_secret],
    wrong_secret="whsec_sdk_vectors_wrong",
    headers={"Content-Type": "application/json; charset=utf-8", "Stripe-Signature": stripe_header},
    body=stripe_body,
    signature_header="Stripe-Signature",
    tolerance=300,
    refuses_future=False,
    expect={"id": "evt_1SdkVectorPretty", "type": "invoice.paid", "dedup_key": "evt_1SdkVectorPretty"},
)

# Svix: Standard Webhooks with svix-* header names.
svix_secret = "whsec_" + base64.b64encode(bytes(range(32, 64))).decode()
svix_body = '{"type":"invoice.paid","timestamp":"2025-11-22T08:26:38Z","data":{"id":"inv_svix_1","note":"naïve café ☕"}}'
svix_signature = svix.webhooks.Webhook(svix_secret).sign("msg_svixSdkVector1", datetime.fromtimestamp(NOW, tz=timezone.utc), svix_body)
svix_headers = {"svix-id": "msg_svixSdkVector1", "svix-timestamp": str(NOW), "svix-signature": svix_signature}
with frozen_std_clock():
    svix.webhooks.Webhook(svix_secret).verify(svix_body.encode(), svix_headers)
add(
    name="svix: svix-* headers with a UTF-8 body",
    provider="svix",
    sdk=version("svix") + " Webhook.sign + Webhook.verify",
    secrets=[svix_secret],
    wrong_secret="whsec_" + base64.b64encode(bytes(range(64, 96))).decode(),
    headers={"Content-Type": "application/json", **svix_headers},
    body=svix_body,
    signature_header="svix-signature",
    tolerance=300,
    refuses_future=True,
    expect={"id": "msg_svixSdkVector1", "type": "invoice.paid", "dedup_key": "msg_svixSdkVector1"},
)

# Standard Webhooks: a v1a (ed25519) entry beside a v1 entry signed with another key.
seed = bytes(range(100, 132))
private = Ed25519PrivateKey.from_private_bytes(seed)
public = private.public_key().public_bytes_raw()
std_body = '{"type":"user.deleted","timestamp":"2025-11-22T08:26:39Z","data":{"id":"usr_9"}}'
std_id = "msg_v1aSdkVector"
signed = f"{std_id}.{NOW}.{std_body}".encode()
v1a = "v1a," + base64.b64encode(private.sign(signed)).decode()
other_secret = "whsec_" + base64.b64encode(bytes(32)).decode()
v1_other = stdwh.Webhook(other_secret).sign(std_id, datetime.fromtimestamp(NOW, tz=timezone.utc), std_body)
private.public_key().verify(base64.b64decode(v1a[4:]), signed)
add(
    name="standard-webhooks: v1a ed25519 entry checked with a whpk_ key",
    provider="standard-webhooks",
    sdk="cryptography 50.0.2 Ed25519 (the standardwebhooks library skips v1a); v1 entry by " + version("standardwebhooks"),
    secrets=["whpk_" + base64.b64encode(public).decode()],
    wrong_secret="whpk_" + base64.b64encode(Ed25519PrivateKey.from_private_bytes(bytes(32)).public_key().public_bytes_raw()).decode(),
    headers={
        "Content-Type": "application/json",
        "webhook-id": std_id,
        "webhook-timestamp": str(NOW),
        "webhook-signature": f"{v1_other} {v1a}",
    },
    body=std_body,
    signature_header="webhook-signature",
    tolerance=300,
    refuses_future=True,
    expect={"id": std_id, "type": "user.deleted", "dedup_key": std_id},
)

# Slack: an Events API callback, the URL check, and an interactive (form payload=) request.
slack_secret = "8f742231b10e8888abcd99sdkvectors"
slack = slack_sdk.signature.SignatureVerifier(slack_secret, clock=type("C", (), {"now": lambda self: float(NOW)})())


def slack_case(name, content_type, body, expect, expect_status=200, expect_reply=None):
    signature = slack.generate_signature(timestamp=str(NOW), body=body)
    headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": str(NOW), "X-Slack-Signature": signature}
    assert slack.is_valid_request(body, headers)
    add(
        name=name,
        provider="slack",
        sdk=version("slack_sdk") + " SignatureVerifier.generate_signature + is_valid_request",
        secrets=[slack_secret],
        wrong_secret="slack-wrong-secret",
        headers=headers,
        body=body,
        signature_header="X-Slack-Signature",
        tolerance=300,
        refuses_future=True,
        expect=expect,
        expect_status=expect_status,
        expect_reply=expect_reply,
    )


slack_case(
    "slack: Events API callback",
    "application/json",
    '{"token":"x","team_id":"T1DC2JH3J","api_app_id":"A0SDK","event":{"type":"app_mention","user":"U2CERLKJA","text":"<@U0SDK> hi","ts":"1763799999.000100","channel":"C0SDK"},"type":"event_callback","event_id":"Ev0SDKVECTOR","event_time":1763799999}',
    {"id": "Ev0SDKVECTOR", "type": "app_mention", "dedup_key": "Ev0SDKVECTOR"},
)
slack_case(
    "slack: url_verification is answered, not stored",
    "application/json",
    '{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}',
    None,
    expect_reply="3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
)
interactive = json.dumps(
    {"type": "block_actions", "trigger_id": "13345224609.738474920.8088930838d88f008e0", "team": {"id": "T1DC2JH3J"}, "actions": [{"action_id": "approve"}]},
    separators=(",", ":"),
)
slack_case(
    "slack: interactive payload= form",
    "application/x-www-form-urlencoded",
    "payload=" + urllib.parse.quote_plus(interactive),
    {"id": "13345224609.738474920.8088930838d88f008e0", "type": "block_actions", "dedup_key": "13345224609.738474920.8088930838d88f008e0"},
)

# Twilio: a JSON body covered by bodySHA256, and a form with a repeated parameter signed on
# the URL without its port while the source is configured with :443.
token = "twilio_sdk_vectors_auth_token"
validator = twilio.request_validator.RequestValidator(token)
json_body = '{"specversion":"1.0","type":"com.twilio.messaging.message.delivered","id":"EZsdkvector","data":{"messageSid":"SMsdk"}}'
query = "bodySHA256=" + validator.compute_hash(json_body)
url = "https://hooks.example.com/webhooks/twilio?" + query
signature = validator.compute_signature(url, {})
assert validator.validate(url, json_body, signature)
add(
    name="twilio: JSON body covered by bodySHA256",
    provider="twilio",
    sdk=version("twilio") + " RequestValidator.compute_hash + compute_signature + validate",
    secrets=[token],
    wrong_secret="twilio-wrong-token",
    webhook_url="https://hooks.example.com/webhooks/twilio",
    query=query,
    headers={"Content-Type": "application/json", "X-Twilio-Signature": signature, "I-Twilio-Idempotency-Token": "idem-sdk-json-1"},
    body=json_body,
    signature_header="X-Twilio-Signature",
    expect={"id": "EZsdkvector", "type": "com.twilio.messaging.message.delivered", "dedup_key": "idem-sdk-json-1"},
)


class MultiDict(dict):
    def getall(self, name):
        return self[name]


pairs = [("MessageSid", "SMsdkvector"), ("MessageStatus", "delivered"), ("MediaUrl", "https://b.example/2"), ("MediaUrl", "https://a.example/1"), ("Body", "héllo wörld & more")]
params = MultiDict()
for name, value in pairs:
    params.setdefault(name, []).append(value)
signature = validator.compute_signature("https://hooks.example.com/webhooks/twilio", params)
assert validator.validate("https://hooks.example.com:443/webhooks/twilio", params, signature)
add(
    name="twilio: repeated form parameter, URL signed without the port",
    provider="twilio",
    sdk=version("twilio") + " RequestValidator.compute_signature + validate (with and without port)",
    secrets=[token],
    wrong_secret="twilio-wrong-token",
    webhook_url="https://hooks.example.com:443/webhooks/twilio",
    headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature},
    body=urllib.parse.urlencode(pairs),
    signature_header="X-Twilio-Signature",
    expect={"id": "SMsdkvector", "type": "message.delivered", "dedup_key": "SMsdkvector:delivered"},
)

# Square: the current header checked by the SDK; the legacy SHA-1 header alone.
square_key = "sq_signature_key_sdk_vectors"
square_url = "https://hooks.example.com/webhooks/square"
square_body = '{"merchant_id":"6SSW7HV8K2ST5","type":"payment.updated","event_id":"6a8f5f28-54a1-4eb0-a98a-3111513fd4fc","created_at":"2025-11-22T08:26:30.000Z","data":{"type":"payment","id":"sdkpay","object":{"payment":{"id":"sdkpay","status":"COMPLETED"}}}}'
sha256 = base64.b64encode(hmac.new(square_key.encode(), (square_url + square_body).encode(), hashlib.sha256).digest()).decode()
assert square_helper.verify_signature(request_body=square_body, signature_header=sha256, signature_key=square_key, notification_url=square_url)
sha1 = base64.b64encode(hmac.new(square_key.encode(), (square_url + square_body).encode(), hashlib.sha1).digest()).decode()
add(
    name="square: legacy x-square-signature (SHA-1) alone",
    provider="square",
    sdk="computed from Square's documented legacy algorithm; the SHA-256 signature of the same request passes " + version("squareup") + " verify_signature",
    secrets=[square_key],
    wrong_secret="sq_wrong_key",
    webhook_url=square_url,
    headers={"Content-Type": "application/json", "x-square-signature": sha1},
    body=square_body,
    signature_header="x-square-signature",
    expect={"id": "6a8f5f28-54a1-4eb0-a98a-3111513fd4fc", "type": "payment.updated", "dedup_key": "6a8f5f28-54a1-4eb0-a98a-3111513fd4fc"},
    trailing_slash_refused=True,
)

# GitHub: a form-encoded delivery (payload=) and an event without an action.
gh_secret = "gh_sdk_vectors_secret"
gh_payload = '{"zen":"Design for failure.","hook_id":292430182,"hook":{"type":"Repository","id":292430182}}'
for name, content_type, body, event, delivery, expected_type in [
    ("github: ping without an action", "application/json", gh_payload, "ping", "11111111-2222-3333-4444-555555555555", "ping"),
    (
        "github: form-encoded payload= delivery",
        "application/x-www-form-urlencoded",
        "payload=" + urllib.parse.quote_plus('{"action":"closed","issue":{"number":7},"repository":{"full_name":"octocat/Hello-World"}}'),
        "issues",
        "66666666-7777-8888-9999-000000000000",
        "issues.closed",
    ),
]:
    digest = hmac.new(gh_secret.encode(), body.encode(), hashlib.sha256).hexdigest()
    add(
        name=name,
        provider="github",
        sdk="computed with GitHub's documented algorithm (octokit/webhooks-methods sign.ts); GitHub ships no Python verifier",
        secrets=[gh_secret],
        wrong_secret="gh_wrong",
        headers={
            "Content-Type": content_type,
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": delivery,
            "X-GitHub-Hook-ID": "292430182",
            "X-Hub-Signature-256": "sha256=" + digest,
        },
        body=body,
        signature_header="X-Hub-Signature-256",
        expect={"id": delivery, "type": expected_type, "dedup_key": "292430182:" + delivery},
    )

# Razorpay: the payment.captured example of razorpay.com/docs/webhooks/payloads, with a
# non-ASCII name, signed as Razorpay signs (hex HMAC-SHA256 of the raw body) and checked by the
# SDK's verifier, which raises on a mismatch. The event id travels in a header.
razorpay_secret = "rzp_sdk_vectors_webhook_secret"
razorpay_body = json.dumps(
    {
        "entity": "event",
        "account_id": "acc_BFQ7uQEaa7j2z7",
        "event": "payment.captured",
        "contains": ["payment"],
        "payload": {
            "payment": {
                "entity": {
                    "id": "pay_DESlfW9H8K9uqM",
                    "entity": "payment",
                    "amount": 100,
                    "currency": "INR",
                    "status": "captured",
                    "order_id": "order_DESlLckIVRkHWj",
                    "method": "netbanking",
                    "captured": True,
                    "notes": {"name": "Gaurav Kumār"},
                    "created_at": NOW - 7,
                }
            }
        },
        "created_at": NOW - 2,
    },
    ensure_ascii=False,
    separators=(",", ":"),
)
razorpay_signature = hmac.new(razorpay_secret.encode(), razorpay_body.encode(), hashlib.sha256).hexdigest()
razorpay.Client(auth=("rzp_test_key", "rzp_test_key_secret")).utility.verify_webhook_signature(
    razorpay_body, razorpay_signature, razorpay_secret
)
add(
    name="razorpay: payment.captured, id in X-Razorpay-Event-Id",
    provider="razorpay",
    sdk=version("razorpay") + " Utility.verify_webhook_signature",
    secrets=[razorpay_secret],
    wrong_secret="rzp_sdk_vectors_wrong",
    headers={
        "Content-Type": "application/json",
        "X-Razorpay-Event-Id": "KlfQk2gsDJjUvx",
        "X-Razorpay-Signature": razorpay_signature,
    },
    body=razorpay_body,
    signature_header="X-Razorpay-Signature",
    expect={"id": "KlfQk2gsDJjUvx", "type": "payment.captured", "dedup_key": "KlfQk2gsDJjUvx"},
)

# Checkout.com: a payment_approved event as a workflow's webhook action sends it, created_on
# with seven fraction digits, signed as documented (hex HMAC-SHA256 of the raw body, keyed by
# the action's signature key). None of the official SDKs ships a verifier.
checkout_key = "cko_sdk_vectors_signature_key"
checkout_body = json.dumps(
    {
        "id": "evt_caxmnvuvbe4elkbdx2imwbnjxu",
        "type": "payment_approved",
        "version": "1.0.29",
        "created_on": "2025-11-22T08:26:38.8821546Z",
        "data": {
            "id": "pay_g2fmfh6hwj4eho5lm7jrxu4pne",
            "action_id": "act_tqwnowwsmctufefmu65hcumn2a",
            "reference": "Commande n° 5023 — Zoë",
            "amount": 6540,
            "currency": "EUR",
            "response_code": "10000",
            "response_summary": "Approved",
        },
        "_links": {"self": {"href": "https://api.sandbox.checkout.com/workflows/events/evt_caxmnvuvbe4elkbdx2imwbnjxu"}},
    },
    ensure_ascii=False,
    separators=(",", ":"),
)
add(
    name="checkout: payment_approved with a seven-digit created_on",
    provider="checkout",
    sdk="computed with Checkout.com's documented algorithm (docs: set-up-your-webhook-receiver); no official SDK verifies Cko-Signature",
    secrets=[checkout_key],
    wrong_secret="cko_sdk_vectors_wrong",
    headers={
        "Content-Type": "application/json",
        "Cko-Signature": hmac.new(checkout_key.encode(), checkout_body.encode(), hashlib.sha256).hexdigest(),
    },
    body=checkout_body,
    signature_header="Cko-Signature",
    expect={"id": "evt_caxmnvuvbe4elkbdx2imwbnjxu", "type": "payment_approved", "dedup_key": "evt_caxmnvuvbe4elkbdx2imwbnjxu"},
)

# Clerk and Resend deliver through Svix: their own envelopes (Clerk's timestamp in
# milliseconds, Resend's created_at in RFC 3339), signed and verified by the svix SDK.
for provider, message_id, body, expected_type in [
    (
        "clerk",
        "msg_2pLqRsTuVwXyZaBcDeClerk",
        json.dumps(
            {
                "data": {"id": "user_29w83sxmDNGwOuEthce5gg56FcC", "object": "user", "first_name": "Zoë", "created_at": (NOW - 3) * 1000},
                "instance_id": "ins_2bmUGx1bNMFCjc7hKT1KhmuLq4B",
                "object": "event",
                "timestamp": (NOW - 2) * 1000 + 835,
                "type": "user.created",
            },
            ensure_ascii=False,
        ),
        "user.created",
    ),
    (
        "resend",
        "msg_1srOrx2ZWZBpBUvZwXKQmoEYga2",
        json.dumps(
            {
                "type": "email.delivered",
                "created_at": "2025-11-22T08:26:38.126Z",
                "data": {
                    "email_id": "56761188-7520-42d8-8898-ff6fc54ce618",
                    "from": "Acme <onboarding@resend.dev>",
                    "to": ["delivered@resend.dev"],
                    "subject": "Réservation confirmée",
                },
            },
            ensure_ascii=False,
        ),
        "email.delivered",
    ),
]:
    alias_secret = "whsec_" + base64.b64encode(hashlib.sha256(provider.encode()).digest()).decode()
    alias_signature = svix.webhooks.Webhook(alias_secret).sign(message_id, datetime.fromtimestamp(NOW, tz=timezone.utc), body)
    alias_headers = {"svix-id": message_id, "svix-timestamp": str(NOW), "svix-signature": alias_signature}
    with frozen_std_clock():
        svix.webhooks.Webhook(alias_secret).verify(body.encode(), alias_headers)
    add(
        name=f"{provider}: its envelope through Svix",
        provider=provider,
        sdk=version("svix") + " Webhook.sign + Webhook.verify",
        secrets=[alias_secret],
        wrong_secret="whsec_" + base64.b64encode(hashlib.sha256(b"wrong").digest()).decode(),
        headers={"Content-Type": "application/json", **alias_headers},
        body=body,
        signature_header="svix-signature",
        tolerance=300,
        refuses_future=True,
        expect={"id": message_id, "type": expected_type, "dedup_key": message_id},
    )

# Zendesk: an event-subscribed webhook (the user.active_changed example of
# developer.zendesk.com/api-reference/webhooks/event-types/webhook-event-types), signed as
# documented on developer.zendesk.com/documentation/webhooks/verifying: base64 HMAC-SHA256 of
# the timestamp header's text followed by the raw body. Zendesk ships no Python verifier.
zendesk_secret = "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ=="
zendesk_timestamp = datetime.fromtimestamp(NOW, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
zendesk_body = json.dumps(
    {
        "type": "zen:event-type:user.active_changed",
        "account_id": 12514403,
        "id": "2b24ef10-19d4-4740-93cf-8f98ec4776c0",
        "time": "2025-11-22T08:26:36Z",
        "zendesk_event_version": "2022-06-20",
        "subject": "zen:user:6596848315901",
        "detail": {"id": "6596848315901", "role": "end-user", "name": "Zoë Ünïcode", "updated_at": "2025-11-22T08:26:36Z"},
        "event": {"current": False, "previous": True},
    },
    ensure_ascii=False,
    separators=(",", ":"),
)
zendesk_signature = base64.b64encode(
    hmac.new(zendesk_secret.encode(), (zendesk_timestamp + zendesk_body).encode(), hashlib.sha256).digest()
).decode()
add(
    name="zendesk: an event-subscribed webhook, timestamp then body",
    provider="zendesk",
    sdk="computed with Zendesk's documented algorithm (docs: verifying webhook authenticity); Zendesk ships no Python verifier",
    secrets=[zendesk_secret],
    wrong_secret="d3JvbmdfemVuZGVza19zZWNyZXQ=",
    headers={
        "Content-Type": "application/json",
        "X-Zendesk-Account-Id": "12514403",
        "X-Zendesk-Webhook-Id": "01F1KRFQ6BG29CNWFR60NK5FNY",
        "X-Zendesk-Webhook-Invocation-Id": "8350205582",
        "X-Zendesk-Webhook-Signature-Timestamp": zendesk_timestamp,
        "X-Zendesk-Webhook-Signature": zendesk_signature,
    },
    body=zendesk_body,
    signature_header="X-Zendesk-Webhook-Signature",
    tolerance=300,
    refuses_future=True,
    expect={
        "id": "2b24ef10-19d4-4740-93cf-8f98ec4776c0",
        "type": "zen:event-type:user.active_changed",
        "dedup_key": "2b24ef10-19d4-4740-93cf-8f98ec4776c0",
    },
)

for case in cases:
    case.setdefault("now", NOW)
    case.setdefault("expect_status", 200)
out = Path(__file__).with_name("sdk-vectors.json")
out.write_text(json.dumps({"generated_by": "Tests/Vectors/generate-sdk-vectors.py", "cases": cases}, indent=1, ensure_ascii=False) + "\n")
print(f"wrote {len(cases)} cases to {out}", file=sys.stderr)
