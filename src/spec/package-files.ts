import * as fs from 'node:fs';
import * as path from 'node:path';

let root: string | undefined;

/**
 * A file shipped in the package (schema/, crds/), found from this module whichever way the code
 * runs: compiled into lib/ (by tsc or jsii) or from its sources (ts-jest). The package root is the
 * first folder above this file with the package's package.json.
 */
export function packageFile(relative: string): string {
  if (!root) {
    let dir = __dirname;
    for (;;) {
      const manifest = path.join(dir, 'package.json');
      if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, 'utf8')).name === 'cdk8s-zerotrust') break;
      const parent = path.dirname(dir);
      if (parent === dir) throw new Error(`cannot find the cdk8s-zerotrust package root above ${__dirname}`);
      dir = parent;
    }
    root = dir;
  }
  return path.join(root, relative);
}

/** Loads a CommonJS module shipped as a file of the package (the schemas' compiled validators). */
export function packageModule(relative: string): any {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(packageFile(relative));
}
