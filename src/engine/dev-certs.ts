import { KeyObject, X509Certificate, createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { isIP } from 'node:net';
import type * as Asn1Schema from '@peculiar/asn1-schema';
import type * as Asn1X509 from '@peculiar/asn1-x509';
import type * as X509 from '@peculiar/x509';
import type { AppSpec } from '../spec/app-spec';
import { serviceDnsNames } from '../constructs/cert-manager/serving-certificate';

/**
 * Development certificates: a CA, and server / client certificates it signs, for trying mTLS
 * locally (`cdk8s-zerotrust certs`). ECDSA P-256 with SHA-256, written as PEM. node:crypto makes
 * and uses the keys; @peculiar/x509 encodes names and extensions and @peculiar/asn1-x509 the
 * certificate around them, so no OpenSSL binary is needed. Never meant for production or dist/.
 *
 * Issuing is synchronous: @peculiar/x509's `X509CertificateGenerator` signs through WebCrypto,
 * which is asynchronous, so the to-be-signed certificate is assembled here (as that generator
 * does) and signed with node:crypto's synchronous `sign`.
 */

/** A certificate and its private key, both PEM. */
export interface KeyPairPem {
  /** PEM certificate. */
  readonly cert: string;
  /** PEM PKCS#8 private key. */
  readonly key: string;
}

/** A certificate issued by a `DevCertificateAuthority`, with its key. */
export interface IssuedCertificate extends KeyPairPem {
  /**
   * What the certificate is for: "server" and/or "client" (extended key usages).
   */
  readonly usages: string[];
}

/** What to issue. */
export interface CertificateRequest {
  /** The subject's common name. */
  readonly commonName: string;
  /** DNS names and IP addresses. @default - none */
  readonly altNames?: string[];
  /** @default 30 */
  readonly days?: number;
  /** @default ["server"] */
  /** "server" and/or "client". @default ["server"] */
  readonly usages?: string[];
}

/** The names `appCertificateNames` derives from an app spec. */
export interface AppCertificateNames {
  /** The serving certificate's names: Service DNS names, route and ingress hosts, mesh identity. */
  readonly server: string[];
  /** The mesh identity `<serviceAccount>.<namespace>.cluster.local`, the client certificate's name. */
  readonly identity: string;
}

/** The libraries that encode certificates, loaded on first use: the constructs never need them. */
interface Encoders {
  readonly schema: typeof Asn1Schema;
  readonly asn: typeof Asn1X509;
  readonly x509: typeof X509;
}

let encoders: Encoders | undefined;
function load(): Encoders {
  if (!encoders) {
    // @peculiar/x509 resolves its algorithm providers through tsyringe, which needs the Reflect
    // metadata API before @peculiar/x509 is first loaded.
    require('reflect-metadata');
    encoders = { schema: require('@peculiar/asn1-schema'), asn: require('@peculiar/asn1-x509'), x509: require('@peculiar/x509') };
  }
  return encoders;
}

/** A key pair and what a certificate says about its public half. */
interface Subject {
  readonly name: Asn1X509.Name;
  readonly privateKey: KeyObject;
  readonly spki: Asn1X509.SubjectPublicKeyInfo;
  /** The SHA-1 of the public key bits (the uncompressed EC point): the usual key identifier (RFC 5280 4.2.1.2). */
  readonly keyId: string;
}

function newSubject(commonName: string): Subject {
  const { schema, asn, x509 } = load();
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = schema.AsnConvert.parse(publicKey.export({ type: 'spki', format: 'der' }), asn.SubjectPublicKeyInfo);
  const keyId = createHash('sha1').update(Buffer.from(spki.subjectPublicKey)).digest('hex');
  const name = schema.AsnConvert.parse(new x509.Name([{ CN: [commonName] }]).toArrayBuffer(), asn.Name);
  return { name, privateKey, spki, keyId };
}

interface IssueOptions {
  readonly days: number;
  readonly ca: boolean;
  readonly altNames: string[];
  readonly usages: Array<'server' | 'client'>;
}

/** Builds, signs (ECDSA with SHA-256) and PEM-encodes the certificate of `subject`, issued by `issuer`. */
function certificate(subject: Subject, issuer: Subject, opts: IssueOptions): string {
  const { schema, asn, x509 } = load();
  const extensions: X509.Extension[] = [
    new x509.BasicConstraintsExtension(opts.ca, undefined, true),
    // CA: keyCertSign + cRLSign; leaf: digitalSignature (ECDHE-ECDSA needs only that)
    new x509.KeyUsagesExtension(opts.ca ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign : x509.KeyUsageFlags.digitalSignature, true),
    new x509.SubjectKeyIdentifierExtension(subject.keyId),
    new x509.AuthorityKeyIdentifierExtension(issuer.keyId),
  ];
  if (!opts.ca) {
    extensions.push(new x509.ExtendedKeyUsageExtension(opts.usages.map((u) => (u === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth))));
    if (opts.altNames.length) {
      extensions.push(new x509.SubjectAlternativeNameExtension(opts.altNames.map((n) => ({ type: isIP(n) ? 'ip' : 'dns', value: n }))));
    }
  }
  const algorithm = new x509.EcAlgorithm().toAsnAlgorithm({ name: 'ECDSA', hash: { name: 'SHA-256' } } as X509.HashedAlgorithm)!;
  // A positive 16-byte serial whose first byte needs no sign padding (RFC 5280 4.1.2.2: at most 20 octets).
  const serial = randomBytes(16);
  serial[0] = 0x40 | (serial[0] & 0x3f);
  const now = Date.now();
  const tbsCertificate = new asn.TBSCertificate({
    version: asn.Version.v3,
    serialNumber: new Uint8Array(serial).buffer,
    signature: algorithm,
    issuer: issuer.name,
    validity: new asn.Validity({ notBefore: new Date(now - 5 * 60_000), notAfter: new Date(now + opts.days * 86_400_000) }),
    subject: subject.name,
    subjectPublicKeyInfo: subject.spki,
    extensions: new asn.Extensions(extensions.map((e) => schema.AsnConvert.parse(e.rawData, asn.Extension))),
  });
  const signature = sign('sha256', Buffer.from(schema.AsnConvert.serialize(tbsCertificate)), issuer.privateKey);
  const der = schema.AsnConvert.serialize(new asn.Certificate({ tbsCertificate, signatureAlgorithm: algorithm, signatureValue: new Uint8Array(signature).buffer }));
  return new X509Certificate(Buffer.from(der)).toString();
}

/** A development CA that signs server and client certificates. */
export class DevCertificateAuthority {
  /** Creates a new CA with a fresh key. */
  public static create(commonName = 'cdk8s-zerotrust dev CA', days = 30): DevCertificateAuthority {
    checkDays(days);
    const self = newSubject(commonName);
    return new DevCertificateAuthority(certificate(self, self, { days, ca: true, altNames: [], usages: [] }), self);
  }

  private constructor(
    /** The CA certificate, PEM. */
    public readonly cert: string,
    private readonly subject: Subject,
  ) {}

  /** The CA key, PEM (PKCS#8). */
  public get key(): string {
    return this.subject.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  }

  /** Issues a certificate signed by this CA. */
  public issue(req: CertificateRequest): IssuedCertificate {
    const days = req.days ?? 30;
    checkDays(days);
    const subject = newSubject(req.commonName);
    const usages = req.usages ?? ['server'];
    const bad = usages.filter((u) => u !== 'server' && u !== 'client');
    if (bad.length) throw new Error(`usages: ${JSON.stringify(bad)} ${bad.length === 1 ? 'is' : 'are'} not allowed; use "server" and/or "client"`);
    const cert = certificate(subject, this.subject, { days, ca: false, altNames: req.altNames ?? [], usages: usages as Array<'server' | 'client'> });
    return { cert, key: subject.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, usages: [...usages] };
  }
}

function checkDays(days: number): void {
  if (!Number.isInteger(days) || days < 1) throw new Error(`days: ${JSON.stringify(days)} is not a whole number >= 1`);
}

/** The names an app's serving certificate should cover: Service DNS names, route and ingress hosts, mesh identity. */
export function appCertificateNames(spec: AppSpec): AppCertificateNames {
  const name = spec.metadata.name;
  const namespace = spec.metadata.namespace ?? 'default';
  const identity = `${spec.spec.serviceAccount ?? name}.${namespace}.cluster.local`;
  const server = [...serviceDnsNames(name, namespace), spec.spec.route?.host, spec.spec.ingress?.host, identity]
    .filter((n): n is string => typeof n === 'string' && !n.startsWith('*'));
  return { server: [...new Set(server)], identity };
}
