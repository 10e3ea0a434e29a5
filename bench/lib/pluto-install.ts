/**
 * The install check of bench/real-sdk-record.ts: does PYTHON, with the pluto source tree on
 * PYTHONPATH, import pluto and what pluto 0.0.28 needs (pyproject.toml's dependencies), at
 * versions pluto can use? One sentence naming the package when not.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** import name → distribution (pyproject.toml of pluto 0.0.28). nvidia-ml-py (pynvml) is left out:
 * pluto/sys.py imports it only when `nvidia-smi` runs, inside a try. */
const MODULES: Record<string, string> = {
  git: 'GitPython', httpx: 'httpx', h2: 'h2', keyring: 'keyring', 'keyrings.alt': 'keyrings.alt', numpy: 'numpy',
  PIL: 'pillow', psutil: 'psutil', rich: 'rich', sentry_sdk: 'sentry-sdk', soundfile: 'soundfile',
};

const PROBE = `
import importlib, importlib.metadata as md, json, sys
out = {"python": sys.version.split()[0]}
for mod, dist in json.loads(sys.argv[1]).items():
    try:
        importlib.import_module(mod)
    except Exception as e:
        print(json.dumps({"missing": dist, "error": f"{type(e).__name__}: {e}"})); sys.exit(0)
    try: out[dist] = md.version(dist)
    except Exception: out[dist] = getattr(sys.modules[mod], "__version__", "?")
import pluto, httpx, inspect
out["pluto"] = pluto.__version__
out["pluto_file"] = pluto.__file__
out["httpx_proxy"] = "proxy" in inspect.signature(httpx.Client.__init__).parameters
print(json.dumps(out))
`;

export type InstallCheck = { ok: true; versions: Record<string, string> } | { ok: false; sentence: string };

export function checkInstall(python: string, pluto: string): InstallCheck {
  if (!existsSync(join(pluto, 'pluto', '__init__.py'))) return { ok: false, sentence: `${pluto} is not a pluto source tree (no pluto/__init__.py).` };
  const r = spawnSync(python, ['-c', PROBE, JSON.stringify(MODULES)], { env: { PATH: process.env.PATH, PYTHONPATH: pluto, HOME: process.env.HOME }, encoding: 'utf8', timeout: 60_000 });
  if (r.error) return { ok: false, sentence: `${python} does not run (${r.error.message}).` };
  const last = r.stdout.trim().split('\n').pop() ?? '';
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(last) as Record<string, unknown>;
  } catch {
    return { ok: false, sentence: `${python} could not import pluto from ${pluto}: ${r.stderr.trim().split('\n').pop()}` };
  }
  if (v.missing) return { ok: false, sentence: `${python} cannot import ${String(v.missing)} (${String(v.error)}); docs/workloads.md "The real Python SDK through the recorder" lists the packages.` };
  if (!String(v.pluto_file).startsWith(join(pluto, 'pluto'))) return { ok: false, sentence: `${python} imports pluto from ${String(v.pluto_file)}, not from ${pluto}.` };
  if (!v.httpx_proxy) return { ok: false, sentence: `httpx ${String(v.httpx)} is too old for pluto: its Client has no proxy= argument (added in httpx 0.26; Debian 12 ships 0.23.3); see docs/workloads.md "The real Python SDK through the recorder".` };
  const versions: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) if (k !== 'pluto_file' && k !== 'httpx_proxy') versions[k] = String(x);
  return { ok: true, versions };
}
