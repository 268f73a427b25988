import type { AppSpec } from '../spec/app-spec';
import { DevCertificateAuthority, appCertificateNames } from './dev-certs';

/**
 * The files of `certs` (written instead of manifests, after the pipeline's validation): `ca.crt`
 * / `ca.key`, and per app `NAMESPACE/APP/tls.crt`, `tls.key` (server: Service DNS names, route
 * and ingress hosts, mesh identity) and `client.crt`, `client.key` (client: the mesh identity
 * `<serviceAccount>.<namespace>.cluster.local`).
 */
export function devCertificateFiles(specs: AppSpec[], days: number): Map<string, string> {
  const ca = DevCertificateAuthority.create('cdk8s-zerotrust dev CA', days);
  const files = new Map<string, string>([['ca.crt', ca.cert], ['ca.key', ca.key]]);
  for (const spec of specs) {
    const dir = `${spec.metadata.namespace ?? 'default'}/${spec.metadata.name}`;
    const names = appCertificateNames(spec);
    const server = ca.issue({ commonName: names.server[0], altNames: names.server, days, usages: ['server'] });
    const client = ca.issue({ commonName: names.identity, altNames: [names.identity], days, usages: ['client'] });
    files.set(`${dir}/tls.crt`, server.cert);
    files.set(`${dir}/tls.key`, server.key);
    files.set(`${dir}/client.crt`, client.cert);
    files.set(`${dir}/client.key`, client.key);
  }
  return files;
}
