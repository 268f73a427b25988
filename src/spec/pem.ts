import { X509Certificate, createPrivateKey } from 'node:crypto';

/**
 * Checks of inline route TLS material (PEM text). Exported signatures use only strings and
 * `Uint8Array`, never node:crypto types: those typings differ between @types/node majors (no
 * `X509Certificate` before 15.6), and a library user's project compiles them.
 */

/** One finding of the inline-PEM check, at a field of `spec.route.certificate.inline`. */
export interface PemFinding {
  /** `certificateFile`, `keyFile` or `caCertificateFile`. */
  readonly field: string;
  /** What is wrong, lowercase. */
  readonly message: string;
}

/** What the inline-PEM check found: errors refuse the spec, warnings are printed. */
export interface PemFindings {
  readonly errors: PemFinding[];
  readonly warnings: PemFinding[];
}

/** Signature algorithm OIDs (DER, with tag and length) that must not sign a served certificate. */
const WEAK_SIGNATURES: Array<[string, string]> = [
  ['06092a864886f70d010105', 'sha1WithRSAEncryption'],
  ['06092a864886f70d010104', 'md5WithRSAEncryption'],
  ['06092a864886f70d010102', 'md2WithRSAEncryption'],
  ['06072a8648ce3d0401', 'ecdsa-with-SHA1'],
  ['06072a8648ce380403', 'dsa-with-sha1'],
];

/** Days before expiry from which a certificate is warned about. */
export const EXPIRY_WARNING_DAYS = 30;

/** Reads a DER element header at `offset`: its content's start and length. */
function der(buf: Buffer, offset: number): { start: number; length: number } {
  let length = buf[offset + 1];
  let start = offset + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + buf[start + i];
    start += bytes;
  }
  return { start, length };
}

/** The DER of a DER certificate's outer signatureAlgorithm OID (tag, length and value), as hex. */
export function signatureAlgorithmOid(certificateDer: Uint8Array): string {
  const raw = Buffer.from(certificateDer.buffer, certificateDer.byteOffset, certificateDer.byteLength);
  const outer = der(raw, 0);
  const tbs = der(raw, outer.start);
  const algId = der(raw, tbs.start + tbs.length);
  const oid = der(raw, algId.start);
  return raw.subarray(algId.start, oid.start + oid.length).toString('hex');
}

/**
 * Checks inline route TLS material: the certificate parses, the key parses and matches it,
 * the signature is not SHA-1/MD5/MD2, and (warnings) it is not expired or about to, and it
 * covers the route host. Fields are those of `spec.route.certificate.inline`.
 */
export function inlineCertificateFindings(certPem: string, keyPem: string, caPem: string | undefined, host: string | undefined, now = new Date()): PemFindings {
  const errors: PemFinding[] = [];
  const warnings: PemFinding[] = [];
  let cert: X509Certificate | undefined;
  try {
    cert = new X509Certificate(certPem);
  } catch (e) {
    errors.push({ field: 'certificateFile', message: `is not a readable PEM certificate: ${(e as Error).message}` });
  }
  let key: ReturnType<typeof createPrivateKey> | undefined;
  try {
    key = createPrivateKey(keyPem);
  } catch (e) {
    errors.push({ field: 'keyFile', message: `is not a readable unencrypted PEM private key: ${(e as Error).message}` });
  }
  if (caPem !== undefined) {
    try { new X509Certificate(caPem); } catch (e) {
      errors.push({ field: 'caCertificateFile', message: `is not a readable PEM certificate: ${(e as Error).message}` });
    }
  }
  if (!cert) return { errors, warnings };
  if (key && !cert.checkPrivateKey(key)) errors.push({ field: 'keyFile', message: 'the key does not match the certificate' });
  const oid = signatureAlgorithmOid(cert.raw);
  const weak = WEAK_SIGNATURES.find(([hex]) => hex === oid);
  if (weak) errors.push({ field: 'certificateFile', message: `the certificate is signed with ${weak[1]}; routers and browsers reject SHA-1 and MD5 signatures, use SHA-256 or better` });
  const notAfter = new Date(cert.validTo);
  const days = Math.floor((notAfter.getTime() - now.getTime()) / 86_400_000);
  if (notAfter.getTime() < now.getTime()) warnings.push({ field: 'certificateFile', message: `the certificate expired on ${notAfter.toISOString().slice(0, 10)}` });
  else if (days < EXPIRY_WARNING_DAYS) warnings.push({ field: 'certificateFile', message: `the certificate expires on ${notAfter.toISOString().slice(0, 10)}, in ${days} days` });
  if (host !== undefined && cert.checkHost(host.replace(/^\*\./, 'wildcard.')) === undefined) {
    warnings.push({ field: 'certificateFile', message: `the certificate does not cover the route host ${JSON.stringify(host)} (subject alternative names: ${cert.subjectAltName ?? 'none'})` });
  }
  return { errors, warnings };
}
