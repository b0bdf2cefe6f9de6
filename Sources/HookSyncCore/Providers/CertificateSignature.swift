import Crypto
public import Foundation
public import HTTPTypes
import SwiftASN1
import X509
import _CryptoExtras

/// An RSA signature checked with a certificate the provider points to in the request: PayPal's
/// `PAYPAL-TRANSMISSION-SIG`, RSA-SHA256 over `transmission_id|transmission_time|webhook_id|crc32`,
/// with the certificate at `PAYPAL-CERT-URL`.
///
/// The receiver fetches the certificate, only from ``CertificateSource/origins`` and over TLS,
/// and passes its PEM as the one secret. This scheme then checks it as PayPal's SDKs do: in
/// its validity period at `now`, issued to one of the expected subjects, an RSA key that
/// verifies the signature.
public struct CertificateSignature: SignatureScheme {
    public var header: HTTPField.Name
    public var signed: SignedTemplate
    public var source: CertificateSource
    /// Common names the certificate may be issued to (`messageverificationcerts.paypal.com`).
    public var subjects: [String]

    public init(header: HTTPField.Name, signed: SignedTemplate, source: CertificateSource, subjects: [String]) {
        self.header = header
        self.signed = signed
        self.source = source
        self.subjects = subjects
    }

    public var name: String { "certificate" }
    public var keyKind: KeyKind { .certificate }
    public var certificateSource: CertificateSource? { source }
    public var signsWebhookID: Bool { signed.usesWebhookID }
    public var summary: String {
        "\(header.rawName): <base64 rsa-sha256> over \"\(signed)\", with the certificate at \(source.header.rawName) (\(subjects.joined(separator: " or ")))"
    }

    public func verify(_ request: WebhookRequest, secrets: [Secret], now: Date) throws(SignatureFailure) -> Int {
        guard let value = request.headers[header] else { throw .missingHeader(header.rawName) }
        guard let signature = Data(base64Encoded: value) else { throw .malformedHeader(header.rawName, reason: "expected base64") }
        guard let pem = secrets.first else { throw .certificate("no certificate was fetched") }
        let key = try Self.key(of: pem, subjects: subjects, now: now)
        guard let message = signed.message(for: request, timestamp: nil) else {
            throw .malformedHeader(header.rawName, reason: "the request lacks a part of the signed text \"\(signed)\"")
        }
        guard key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: message, padding: .insecurePKCS1v1_5)
        else { throw .mismatch }
        return 0
    }

    /// The RSA key of the first certificate in `pem`, if it is one the provider signs with now.
    static func key(of pem: Secret, subjects: [String], now: Date) throws(SignatureFailure) -> _RSA.Signing.PublicKey {
        let certificate: Certificate
        do {
            certificate = try Certificate(pemEncoded: Self.firstBlock(pem.value))
        } catch {
            throw .certificate("not a PEM X.509 certificate")
        }
        guard certificate.notValidBefore <= now, now <= certificate.notValidAfter else {
            throw .certificate("valid from \(certificate.notValidBefore) to \(certificate.notValidAfter), not now")
        }
        let names = certificate.subject.flatMap { $0 }.filter { $0.type == .RDNAttributeType.commonName }.compactMap { String($0.value) }
        guard names.contains(where: subjects.contains) else {
            throw .certificate("issued to \(names.joined(separator: ", ")), not \(subjects.joined(separator: " or "))")
        }
        guard let key = _RSA.Signing.PublicKey(certificate.publicKey) else { throw .certificate("its key is not RSA") }
        return key
    }

    /// A fetched file may hold the chain after the signing certificate: the first block is it.
    private static func firstBlock(_ text: String) -> String {
        guard let end = text.range(of: "-----END CERTIFICATE-----") else { return text }
        return String(text[..<end.upperBound])
    }

    public func sign(_ request: WebhookRequest, secret: Secret, id: String, timestamp: Date) throws(SecretFormatError) -> HTTPFields {
        throw SecretFormatError(reason: "only the provider holds the private key of its certificate")
    }

    public func validate(secret: Secret) throws(SecretFormatError) {}
}

extension CertificateSignature {
    init?(reading table: TOMLReader) {
        table.rejectUnknownKeys(["scheme", "header", "signed", "certificate_header", "certificate_origins", "certificate_subjects"])
        let header = table.headerName("header", required: true)
        let certificateHeader = table.headerName("certificate_header", required: true)
        let signed = table.signedTemplate(required: true)
        let origins = table.strings("certificate_origins") ?? []
        for origin in origins where !(origin.hasPrefix("https://") || origin.hasPrefix("http://127.0.0.1:")) || !origin.hasSuffix("/") {
            table.report(
                "certificate_origins",
                value: "\"\(origin)\"",
                expected: "an https:// URL prefix ending in / (http only for 127.0.0.1, in tests)"
            )
        }
        if origins.isEmpty { table.report("certificate_origins", value: nil, expected: "the URL prefixes certificates may be fetched from") }
        let subjects = table.strings("certificate_subjects") ?? []
        if subjects.isEmpty { table.report("certificate_subjects", value: nil, expected: "the common names the certificate may be issued to") }
        guard let header, let certificateHeader, let signed, !origins.isEmpty, !subjects.isEmpty else { return nil }
        self.init(header: header, signed: signed, source: CertificateSource(header: certificateHeader, origins: origins), subjects: subjects)
    }
}
