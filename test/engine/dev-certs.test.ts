import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { AddressInfo } from 'node:net';
import { main } from '../../src/cli/cli';
import { devCertificateFiles } from '../../src/engine/certificates';
import { DevCertificateAuthority, appCertificateNames } from '../../src/engine/dev-certs';
import { appSpec } from '../util';

/** Starts a TLS server on loopback that requires a client certificate from `ca`; answers "hello <CN>". */
async function mtlsServer(ca: string, server: { cert: string; key: string }): Promise<tls.Server> {
  const srv = tls.createServer({ ...server, ca, requestCert: true, rejectUnauthorized: true }, (socket) => {
    socket.end(`hello ${socket.getPeerCertificate().subject?.CN}`);
  });
  srv.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return srv;
}

function connect(port: number, options: tls.ConnectionOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'web.shop.svc', ...options }, () => undefined);
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (d) => { data += d; });
    socket.on('end', () => (data ? resolve(data) : reject(new Error('closed without data'))));
    socket.on('error', reject);
    socket.setTimeout(5000, () => socket.destroy(new Error('timeout')));
  });
}

describe('dev certificates', () => {
  const ca = DevCertificateAuthority.create('test CA', 2);
  const server = ca.issue({ commonName: 'web.shop.svc', altNames: ['web.shop.svc', '127.0.0.1'], usages: ['server'], days: 2 });
  const client = ca.issue({ commonName: 'app1.shop.cluster.local', altNames: ['app1.shop.cluster.local'], usages: ['client'], days: 2 });

  test('issues ECDSA certificates signed by the CA with the requested names', () => {
    const caCert = new X509Certificate(ca.cert);
    const cert = new X509Certificate(server.cert);
    expect(caCert.ca).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.verify(caCert.publicKey)).toBe(true);
    expect(cert.checkIssued(caCert)).toBe(true);
    expect(cert.subjectAltName).toBe('DNS:web.shop.svc, IP Address:127.0.0.1');
    expect(cert.checkPrivateKey(createPrivateKey(server.key))).toBe(true);
    expect(new Date(cert.validTo).getTime() - Date.now()).toBeLessThanOrEqual(2 * 86_400_000);
  });

  test('a TLS server requiring client certificates accepts the client certificate', async () => {
    const srv = await mtlsServer(ca.cert, server);
    try {
      const port = (srv.address() as AddressInfo).port;
      await expect(connect(port, { ca: ca.cert, cert: client.cert, key: client.key })).resolves.toBe('hello app1.shop.cluster.local');
    } finally { srv.close(); }
  });

  test('fails the handshake without a client certificate, or with one from another CA', async () => {
    const srv = await mtlsServer(ca.cert, server);
    try {
      const port = (srv.address() as AddressInfo).port;
      await expect(connect(port, { ca: ca.cert })).rejects.toThrow();
      const stranger = DevCertificateAuthority.create('other CA', 1).issue({ commonName: 'x', usages: ['client'], days: 1 });
      await expect(connect(port, { ca: ca.cert, cert: stranger.cert, key: stranger.key })).rejects.toThrow();
    } finally { srv.close(); }
  });

  test('the client fails a server whose certificate does not name the host', async () => {
    const srv = await mtlsServer(ca.cert, server);
    try {
      const port = (srv.address() as AddressInfo).port;
      await expect(connect(port, { ca: ca.cert, cert: client.cert, key: client.key, servername: 'other.shop.svc' })).rejects.toThrow(/altnames|Hostname/i);
    } finally { srv.close(); }
  });

  test('app certificates cover the Service names, route and ingress hosts and the mesh identity', () => {
    const spec = appSpec({ serviceAccount: 'web-id', route: { host: 'web.apps.example.com' }, ingress: { host: 'web.example.com' } });
    expect(appCertificateNames(spec)).toEqual({
      server: ['web', 'web.shop', 'web.shop.svc', 'web.shop.svc.cluster.local', 'web.apps.example.com', 'web.example.com', 'web-id.shop.cluster.local'],
      identity: 'web-id.shop.cluster.local',
    });
    expect([...devCertificateFiles([spec], 1).keys()]).toEqual(['ca.crt', 'ca.key', 'shop/web/tls.crt', 'shop/web/tls.key', 'shop/web/client.crt', 'shop/web/client.key']);
  });

  test('fails days out of range', () => {
    expect(() => ca.issue({ commonName: 'x', days: 0 })).toThrow('days: 0 is not a whole number >= 1');
    expect(() => DevCertificateAuthority.create('x', 1.5)).toThrow('days: 1.5 is not a whole number >= 1');
  });

  test('encodes IPv6 alternative names and names that are not printable strings', () => {
    const cert = new X509Certificate(ca.issue({ commonName: 'wéb', altNames: ['fe80::1:2', '::1', 'web'], days: 1 }).cert);
    expect(cert.subject).toBe('CN=wéb');
    expect(cert.subjectAltName).toBe('IP Address:FE80:0:0:0:0:0:1:2, IP Address:0:0:0:0:0:0:0:1, DNS:web');
    expect(cert.checkIssued(new X509Certificate(ca.cert))).toBe(true);
  });

  const openssl = spawnSync('openssl', ['version'], { encoding: 'utf8' });
  const opensslMissing = openssl.error || openssl.status !== 0 ? ' (skipped: no openssl on PATH)' : '';
  (opensslMissing ? test.skip : test)(`openssl verify -x509_strict accepts the server and client certificates for their purposes${opensslMissing}`, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-openssl-'));
    try {
      fs.writeFileSync(path.join(dir, 'ca.crt'), ca.cert);
      fs.writeFileSync(path.join(dir, 'tls.crt'), server.cert);
      fs.writeFileSync(path.join(dir, 'client.crt'), client.cert);
      const verify = (cert: string, purpose: string) => spawnSync('openssl', ['verify', '-x509_strict', '-purpose', purpose, '-CAfile', 'ca.crt', cert], { cwd: dir, encoding: 'utf8' });
      for (const [cert, purpose] of [['tls.crt', 'sslserver'], ['client.crt', 'sslclient']]) {
        const r = verify(cert, purpose);
        expect({ status: r.status, out: `${r.stdout}${r.stderr}`.trim() }).toEqual({ status: 0, out: `${cert}: OK` });
      }
      // the purposes are enforced: a server certificate is not a client certificate
      expect(verify('tls.crt', 'sslclient').status).not.toBe(0);
    } finally { fs.rmSync(dir, { recursive: true, force: true }); }
  });

  describe('cdk8s-zerotrust certs', () => {
    let dir: string;
    let cwd: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-certs-'));
      fs.writeFileSync(path.join(dir, 'web.yaml'), 'apiVersion: cdk8s-zerotrust/v1alpha1\nkind: App\nmetadata: { name: web, namespace: shop }\nspec:\n  image: quay.io/acme/web:1.0.0\n  ports: [{ name: http, port: 8080 }]\n');
      cwd = process.cwd();
      process.chdir(dir);
    });
    afterEach(() => { process.chdir(cwd); fs.rmSync(dir, { recursive: true, force: true }); });
    const run = (argv: string[]) => { const err: string[] = []; const code = main(argv, { out: () => undefined, err: (l) => err.push(l) }); return { code, err: err.join('\n') }; };

    test('writes keys readable only by their owner into dev-certs/', () => {
      expect(run(['certs', 'web.yaml', '--days', '7']).code).toBe(0);
      const key = path.join(dir, 'dev-certs', 'shop', 'web', 'tls.key');
      expect(fs.statSync(key).mode & 0o777).toBe(0o600);
      expect(new X509Certificate(fs.readFileSync(path.join(dir, 'dev-certs', 'shop', 'web', 'client.crt'))).subject).toBe('CN=web.shop.cluster.local');
    });

    test('fails to write into dist/', () => {
      const r = run(['certs', 'web.yaml', '--out', 'dist/certs']);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/private keys never go into dist/);
      expect(fs.existsSync(path.join(dir, 'dist'))).toBe(false);
    });

    test('fails a bad --days', () => {
      expect(run(['certs', 'web.yaml', '--days', '0']).err).toMatch(/--days "0" is not a whole number from 1 to 825/);
    });
  });
});
