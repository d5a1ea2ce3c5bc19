import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | null = null;

/**
 * The `surveys/` folder of the installed package, found from this module's own location rather than
 * the working directory, so `npx maturity-pulse …` and a service started anywhere load the same surveys.
 * The package root is the nearest folder above this module holding a package.json (the file Node itself
 * reads for `"type": "module"`): that is the package both for dist/survey-files/ (built or installed)
 * and for src/survey-files/ (tests importing the sources), and also for the benchmark build's
 * dist-bench/src/survey-files/, which sits one folder deeper.
 */
export function shippedSurveysDir(): string {
  if (cached !== null) return cached;
  const here = path.dirname(fileURLToPath(import.meta.url));
  let dir = here;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    // No package.json above us (a copied-out file): fall back to the layout of src/ and dist/.
    if (parent === dir) {
      dir = path.resolve(here, '..', '..');
      break;
    }
    dir = parent;
  }
  cached = path.join(dir, 'surveys');
  return cached;
}
