#!/usr/bin/env bash
# The suite under Node 24, next to the Node 20 run of `.ci/run` (which calls this after `npm ci` and
# `npm test`; it can also be run by hand from a checkout with node_modules installed).
#
# Node 24 comes from the npm registry's binary package node-linux-<arch>@24: bin/node plus the headers in
# include/node, which is what node-gyp's --nodedir wants to compile better-sqlite3 against.
#
# The checkout is never touched: the working tree is copied into a temporary folder with its own copy of
# node_modules, better-sqlite3 is rebuilt for Node 24 there, Parley is built there with Node 24, and every
# suite except the browser ones (unit, end-to-end, errors, crash/resume, delivery, CLI, SDK, security) runs
# there with Node 24 first on PATH, so the processes the tests spawn (process.execPath) are Node 24 too.
# The browser tests exercise Chromium more than Node and stay with the Node 20 run. The checkout's own
# better-sqlite3 build (Node 20) is never swapped out, not even while this runs, so tests running from the
# checkout meanwhile are not disturbed and nothing needs restoring; the temporary folder is removed on
# exit (trap).
#
# Cache (git-ignored): .ci/cache/ keeps the unpacked Node package and the Node 24 build of better-sqlite3,
# keyed by both versions. Override with PARLEY_NODE24_CACHE. PARLEY_NODE24_VERSION picks another version
# of the package (default 24, the newest 24.x; e.g. 22 or 24.11.0 to try another Node by hand).
#
# Arguments, if any, replace the list of suites (paths or vitest filters), e.g. for one failing file.
# Writes test-results/vitest-node24.json and ends with one line: "Node 24 (vX.Y.Z): N passed, ...".
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

spec=${PARLEY_NODE24_VERSION:-24}
tag="node $spec"
log() { printf '\n==> [%s] %s\n' "$tag" "$*"; }
die() { printf '[%s] %s\n' "$tag" "$*" >&2; exit 1; }
started=$SECONDS
dl= stage=
cleanup() { rm -rf ${dl:+"$dl"} ${stage:+"$stage"}; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cache=${PARLEY_NODE24_CACHE:-$root/.ci/cache}
case "$(uname -m)" in
  x86_64 | amd64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) die "no node-linux package for $(uname -m)" ;;
esac
pkg=node-linux-$arch
[ -d node_modules/better-sqlite3 ] || die "node_modules is missing: run npm ci first"
mkdir -p "$cache" test-results

# --- Node from the registry -----------------------------------------------------------------------------
# Newest version matching $spec: from the registry (npm view lists every match, in no useful order), or,
# when the registry cannot be reached, from the packages already in the cache.
newest='const t = require("fs").readFileSync(0, "utf8").trim(); const spec = process.argv[1];
  let v = /^[["]/.test(t) ? [].concat(JSON.parse(t))
    : t.split("\n").map((l) => (/node-v([0-9.]+)-linux-/.exec(l) || [])[1]).filter((x) => x && (x + ".").startsWith(spec + "."));
  const key = (s) => s.split(".").map(Number);
  v.sort((a, b) => { const x = key(a), y = key(b); return x[0] - y[0] || x[1] - y[1] || x[2] - y[2]; });
  if (!v.length) process.exit(1);
  console.log(v[v.length - 1]);'
if ! ver=$(npm view "$pkg@$spec" version --json --fetch-retries=1 2>/dev/null | node -e "$newest" "$spec"); then
  ver=$(ls -d "$cache"/node-v*-linux-"$arch" 2>/dev/null | node -e "$newest" "$spec") \
    || die "cannot resolve $pkg@$spec from the registry, and no matching package is cached in $cache"
  log "npm registry unreachable: using the cached Node $ver"
fi
major=${ver%%.*}
tag="node $major"
report=$root/test-results/vitest-node$major.json
rm -f "$report"
n24=$cache/node-v$ver-linux-$arch
if [ ! -x "$n24/bin/node" ] || [ ! -f "$n24/include/node/node.h" ]; then
  log "Fetching $pkg@$ver from the npm registry"
  dl=$(mktemp -d "${TMPDIR:-/tmp}/parley-node-dl.XXXXXX")
  # npm pack checks the tarball against the registry's integrity hash.
  (cd "$dl" && npm pack "$pkg@$ver" --silent >/dev/null)
  rm -rf "$n24.partial" && mkdir -p "$n24.partial"
  tar -xzf "$dl/$pkg-$ver.tgz" -C "$n24.partial" --strip-components=1
  rm -rf "$n24" && mv "$n24.partial" "$n24"
  # Of this Node major, keep only this version of the package and the better-sqlite3 builds for it.
  for old in "$cache"/node-v"$major".*-linux-"$arch" "$cache"/better_sqlite3-*-node-v"$major".*-linux-"$arch".node; do
    case "$old" in "$n24" | *"-node-v$ver-linux-$arch.node") ;; *) rm -rf "$old" ;; esac
  done
fi
[ "$("$n24/bin/node" --version)" = "v$ver" ] || die "$n24/bin/node does not run as v$ver"
[ -f "$n24/include/node/node.h" ] && [ -f "$n24/include/node/common.gypi" ] || die "$n24 has no headers in include/node"

# --- A private copy of the working tree -----------------------------------------------------------------
stage=$(mktemp -d "${TMPDIR:-/tmp}/parley-node$major.XXXXXX")
log "Copying the working tree to $stage"
# (tar's status 1 means a file changed while it was read, e.g. an editor saving: the copy is still usable.)
{ tar -cf - --warning=no-file-changed --exclude=./.git --exclude=./node_modules --exclude=./.ci/cache \
  --exclude=./test-results --exclude=./data --exclude=./dist --exclude=./web/dist --exclude=./sdk/dist . || [ $? -eq 1 ]; } |
  tar -xf - -C "$stage"
cp -a node_modules "$stage/node_modules"
rm -rf "$stage/node_modules/.vite" "$stage/node_modules/.cache"

# This Node first on PATH for everything below: npm scripts, tsc, vite, vitest and the processes tests spawn.
export PATH="$n24/bin:$PATH"
[ "$(node --version)" = "v$ver" ] || die "node on PATH is $(node --version), not v$ver"

# --- better-sqlite3 for this Node -----------------------------------------------------------------------
bs_ver=$(node -p 'require("./node_modules/better-sqlite3/package.json").version')
bs_cached=$cache/better_sqlite3-$bs_ver-node-v$ver-linux-$arch.node
bs_dir=$stage/node_modules/better-sqlite3
if [ -f "$bs_cached" ]; then
  log "better-sqlite3 $bs_ver for Node $ver: cached"
  cp "$bs_cached" "$bs_dir/build/Release/better_sqlite3.node"
else
  log "Compiling better-sqlite3 $bs_ver for Node $ver (--nodedir=$n24)"
  # npm's own node-gyp, called directly (the package's install script would first try prebuild-install,
  # which downloads from GitHub).
  gyp=
  for c in "$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js" \
    "$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"; do
    [ -f "$c" ] && { gyp=$c; break; }
  done
  [ -n "$gyp" ] || die "cannot find npm's node-gyp"
  t=$SECONDS
  (cd "$bs_dir" && node "$gyp" rebuild --release --nodedir="$n24" --jobs=max --loglevel=warn >"$stage/gyp.log" 2>&1) \
    || { tail -n 40 "$stage/gyp.log" >&2; die "compiling better-sqlite3 for Node $ver failed"; }
  echo "compiled in $((SECONDS - t)) s"
  cp "$bs_dir/build/Release/better_sqlite3.node" "$bs_cached.tmp" && mv "$bs_cached.tmp" "$bs_cached"
fi
(cd "$stage" && node -e '
  const db = require("better-sqlite3")(":memory:");
  console.log(`better-sqlite3 loads under Node ${process.version} (ABI ${process.versions.modules}), SQLite ${db.prepare("select sqlite_version() v").get().v}`);')

# --- Build and test under this Node ---------------------------------------------------------------------
cd "$stage"
log "Building Parley with Node $ver (npm run build)"
t=$SECONDS
npm run build --silent
echo "built in $((SECONDS - t)) s"

# Everything but the browser suites (unit, end-to-end, errors, crash/resume, delivery, CLI, SDK, security, and
# whatever is added later), or what the arguments name.
if [ $# -gt 0 ]; then
  what=("$@") # by hand: bash .ci/node24.sh test/e2e/chat.test.ts
  log "Running $* with Node $ver"
else
  what=(--exclude 'test/browser/**')
  log "Running every suite except test/browser with Node $ver"
fi
t=$SECONDS
status=0
node node_modules/vitest/vitest.mjs run "${what[@]}" \
  --reporter=default --reporter=json --outputFile.json="$report" || status=$?
echo "tests ran in $((SECONDS - t)) s; the Node $major step took $((SECONDS - started)) s in all"
if [ -f "$report" ]; then
  node "$root/.ci/summary.js" "Node $major (v$ver)" "$report"
else
  echo "Node $major (v$ver): no test report (vitest did not finish)"
  [ "$status" -ne 0 ] || status=1
fi
exit "$status"
