#!/usr/bin/env node
// Makes sure the Debian packages the tests use are present: PyTorch for /usr/bin/python3 (real
// training runs; torchvision and matplotlib for the real-world corpus; Hypothesis to fuzz the
// runner's validator) and Chromium (the real-editor tests). Installs them when running as root; otherwise prints the exact command and
// fails, since the tests cannot be honest without them.
const { execFileSync, spawnSync } = require('child_process');
const fs = require('fs');

const PACKAGES = [
  { name: 'python3-torch', present: () => spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' }).status === 0 },
  { name: 'chromium', present: () => fs.existsSync('/usr/bin/chromium') },
  // The real-world corpus (test/realworld) runs public scripts that import these.
  { name: 'python3-torchvision', present: () => spawnSync('/usr/bin/python3', ['-c', 'import torchvision'], { stdio: 'ignore' }).status === 0 },
  { name: 'python3-matplotlib', present: () => spawnSync('/usr/bin/python3', ['-c', 'import matplotlib'], { stdio: 'ignore' }).status === 0 },
  // The Python runner's validator is fuzzed with Hypothesis (test/python/test_fuzz_protocol.py).
  { name: 'python3-hypothesis', present: () => spawnSync('/usr/bin/python3', ['-c', 'import hypothesis'], { stdio: 'ignore' }).status === 0 },
];

const missing = PACKAGES.filter((p) => !p.present()).map((p) => p.name);
if (missing.length === 0) process.exit(0);

const command = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`;
if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
  console.error(`The tests need Debian packages: ${missing.join(', ')}. Run as root:\n  ${command}`);
  process.exit(1);
}
console.error(`Installing ${missing.join(', ')} (tests need them)…`);
execFileSync('sh', ['-c', command], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
