import { KeyObject, createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { isIP } from 'node:net';
import type { AppSpec } from '../spec/app-spec';
import { serviceDnsNames } from '../constructs/cert-manager/serving-certificate';

/**
 * Development certificates: a CA, and server / client certificates it signs, for trying mTLS
 * locally (`cdk8s-zerotrust certs`). ECDSA P-256 with SHA-256, written as PEM. Built with
 * node:crypto and a small DER encoder, so no OpenSSL binary or extra package is needed.
 * Never meant for production or for dist/.
 */

export interface KeyPairPem {
  /** PEM certificate. */
  readonly cert: string;
  /** PEM PKCS#8 private key. */
  readonly key: string;
}

export interface IssuedCertificate extends KeyPairPem {
  readonly privateKey: KeyObject;
}

export interface CertificateRequest {
  readonly commonName: string;
  /** DNS names and IP addresses. @default - none */
  readonly altNames?: string[];
  /** @default 30 */
  readonly days?: number;
  /** @default ["server"] */
  readonly usages?: Array<'server' | 'client'>;
}

// --- DER encoding -------------------------------------------------------------------------

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const tlv = (tag: number, content: Buffer): Buffer => Buffer.concat([Buffer.from([tag]), length(content.length), content]);
const seq = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items));
const explicit = (n: number, content: Buffer): Buffer => tlv(0xa0 + n, content);
const octets = (b: Buffer): Buffer => tlv(0x04, b);
const bitString = (b: Buffer, unusedBits = 0): Buffer => tlv(0x03, Buffer.concat([Buffer.from([unusedBits]), b]));
const bool = (v: boolean): Buffer => tlv(0x01, Buffer.from([v ? 0xff : 0]));

function integer(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0 && b[i + 1] < 0x80) i++;
  const v = b.subarray(i);
  return tlv(0x02, v[0] & 0x80 ? Buffer.concat([Buffer.from([0]), v]) : v);
}

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const out = [40 * a + b];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift(0x80 | (v & 0x7f));
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14); // YYYYMMDDHHMMSS
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`)) : tlv(0x18, Buffer.from(`${iso}Z`));
}

const name = (cn: string): Buffer => seq(set(seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from(cn, 'utf8')))));
const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));
const extension = (id: string, critical: boolean, value: Buffer): Buffer => seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));

function altName(n: string): Buffer {
  const ip = isIP(n);
  if (ip === 4) return tlv(0x87, Buffer.from(n.split('.').map(Number)));
  if (ip === 6) {
    const [head, tail = ''] = n.split('::');
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    const groups = n.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
    return tlv(0x87, Buffer.concat(groups.map((g) => { const b = Buffer.alloc(2); b.writeUInt16BE(parseInt(g, 16)); return b; })));
  }
  return tlv(0x82, Buffer.from(n, 'ascii'));
}

/** The SHA-1 of the public key bits (the uncompressed EC point): the usual subject key identifier. */
function keyId(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
  return createHash('sha1').update(point).digest();
}

function pem(label: string, der: Buffer): string {
  return `-----BEGIN ${label}-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;
}

interface Signer {
  readonly name: Buffer;
  readonly key: KeyObject;
  readonly keyId: Buffer;
}

function issue(subject: string, publicKey: KeyObject, signer: Signer | 'self', privateKey: KeyObject, opts: { days: number; ca: boolean; altNames: string[]; usages: Array<'server' | 'client'> }): string {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const ski = keyId(publicKey);
  const issuer = signer === 'self' ? { name: name(subject), key: privateKey, keyId: ski } : signer;
  const now = Date.now();
  const extensions = [
    extension('2.5.29.19', true, opts.ca ? seq(bool(true)) : seq()),
    // keyUsage: CA keyCertSign + cRLSign; leaf digitalSignature (ECDHE-ECDSA needs only that)
    extension('2.5.29.15', true, opts.ca ? bitString(Buffer.from([0x06]), 1) : bitString(Buffer.from([0x80]), 7)),
    extension('2.5.29.14', false, octets(ski)),
    extension('2.5.29.35', false, seq(tlv(0x80, issuer.keyId))),
  ];
  if (!opts.ca) {
    extensions.push(extension('2.5.29.37', false, seq(...opts.usages.map((u) => oid(u === 'server' ? '1.3.6.1.5.5.7.3.1' : '1.3.6.1.5.5.7.3.2')))));
    if (opts.altNames.length) extensions.push(extension('2.5.29.17', false, seq(...opts.altNames.map(altName))));
  }
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))),
    integer(serial),
    ECDSA_SHA256,
    issuer.name,
    seq(time(new Date(now - 5 * 60_000)), time(new Date(now + opts.days * 86_400_000))),
    name(subject),
    spki,
    explicit(3, seq(...extensions)),
  );
  const signature = sign('sha256', tbs, issuer.key);
  return pem('CERTIFICATE', seq(tbs, ECDSA_SHA256, bitString(signature)));
}

function keyPair(): { publicKey: KeyObject; privateKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
}

/** A development CA that signs server and client certificates. */
export class DevCertificateAuthority {
  /** Creates a new CA with a fresh key. */
  public static create(commonName = 'cdk8s-zerotrust dev CA', days = 30): DevCertificateAuthority {
    const { publicKey, privateKey } = keyPair();
    const cert = issue(commonName, publicKey, 'self', privateKey, { days, ca: true, altNames: [], usages: [] });
    return new DevCertificateAuthority(commonName, cert, privateKey, keyId(publicKey));
  }

  private constructor(private readonly commonName: string, public readonly cert: string, private readonly privateKey: KeyObject, private readonly keyIdentifier: Buffer) {}

  /** The CA key, PEM (PKCS#8). */
  public get key(): string {
    return this.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  }

  /** Issues a certificate signed by this CA. */
  public issue(req: CertificateRequest): IssuedCertificate {
    const days = req.days ?? 30;
    if (!Number.isInteger(days) || days < 1) throw new Error(`days: ${JSON.stringify(days)} is not a whole number >= 1`);
    const { publicKey, privateKey } = keyPair();
    const cert = issue(req.commonName, publicKey, { name: name(this.commonName), key: this.privateKey, keyId: this.keyIdentifier }, privateKey, {
      days, ca: false, altNames: req.altNames ?? [], usages: req.usages ?? ['server'],
    });
    return { cert, key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, privateKey };
  }
}

/** The names an app's serving certificate should cover: Service DNS names, route and ingress hosts, mesh identity. */
export function appCertificateNames(spec: AppSpec): { server: string[]; identity: string } {
  const name = spec.metadata.name;
  const namespace = spec.metadata.namespace ?? 'default';
  const identity = `${spec.spec.serviceAccount ?? name}.${namespace}.cluster.local`;
  const server = [...serviceDnsNames(name, namespace), spec.spec.route?.host, spec.spec.ingress?.host, identity]
    .filter((n): n is string => typeof n === 'string' && !n.startsWith('*'));
  return { server: [...new Set(server)], identity };
}
