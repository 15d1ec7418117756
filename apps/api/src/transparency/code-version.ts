import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface CodeVersion {
  version: string | null;
  commit: string | null;
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
let fromRepository: CodeVersion | undefined;

/**
 * The code the server runs, for the transparency page: the root package.json version and the
 * git commit. TEAMSPIEGEL_CODE_VERSION names the commit where the deployment has no .git
 * (an image built from a tag). Read once per process; a missing git fails soft to null.
 */
export function codeVersion(env: NodeJS.ProcessEnv): CodeVersion {
  fromRepository ??= { version: packageVersion(), commit: gitCommit() };
  const given = env.TEAMSPIEGEL_CODE_VERSION?.trim();
  return given ? { version: fromRepository.version, commit: given } : fromRepository;
}

function packageVersion(): string | null {
  try {
    const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as {
      version?: unknown;
    };
    return typeof pkg.version === 'string' ? pkg.version : null;
  } catch {
    return null;
  }
}

function gitCommit(): string | null {
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 2000,
    }).trim();
    return /^[0-9a-f]{40,64}$/.test(out) ? out : null;
  } catch {
    return null;
  }
}
