#!/usr/bin/env bash
# Command 2: install what is missing, then every check in order, stopping at the first failure:
#
#   1. setup        scripts/setup.sh
#   2. unit         cargo test --workspace --exclude app   (api, server, xtask; the app is wasm-only),
#                   the server's API tests on SQLite
#   2b. api-pg      the server's API tests again, on PostgreSQL: a private cluster started by
#                   scripts/pg.sh (as the postgres user, port 55432), one database per test app
#   3. fuzz-api     cargo xtask fuzz-api: schemathesis against /api/openapi.json of a local
#                   server, signed in (no 5xx; status, content type and body as documented)
#   4. component    cargo xtask test-components: the app's tests/*.rs in headless Chromium
#                   (cargo test -p app --target wasm32-unknown-unknown, chromedriver)
#   5. build-app    cargo xtask build-app    (release bundle in dist/)
#   6. check-wasm   cargo xtask check-wasm   (WebAssembly 1.0 + mutable-globals)
#   7. e2e          cargo xtask e2e          (Playwright against the release bundle; with
#                   E2E_POSTGRES=1 also two servers on one PostgreSQL database)
#   8. bench        cargo xtask bench        (report only, never fails the run on numbers)
#
# SKIP_SETUP=1 skips stage 1.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
case ":$PATH:" in *":$HOME/.cargo/bin:"*) ;; *) export PATH="$HOME/.cargo/bin:$PATH" ;; esac

# Never exported: RUSTC_BOOTSTRAP / build-std belong to `cargo xtask build-app` alone.
unset RUSTC_BOOTSTRAP CARGO_UNSTABLE_BUILD_STD

START=$SECONDS
PASSED=()

stage() {
  local name=$1
  shift
  local t0=$SECONDS
  printf '\n==> [%s] %s\n' "$name" "$*"
  local rc=0
  "$@" || rc=$?
  local took=$((SECONDS - t0))
  if [ "$rc" -ne 0 ]; then
    printf '\n==> FAILED at stage "%s" (exit %d, after %d s): %s\n' "$name" "$rc" "$took" "$*" >&2
    case "$name" in
      component) echo "    Component tests run in headless Chromium via $CHROMEDRIVER (WASM_BINDGEN_TEST_TIMEOUT=$WASM_BINDGEN_TEST_TIMEOUT)." >&2 ;;
      fuzz-api) echo "    Server log: target/fuzz-api-server.log; schemathesis printed each failing case and how to reproduce it." >&2 ;;
      e2e) echo "    Server log: target/e2e-server.log; screenshots and traces: test-results/" >&2 ;;
    esac
    if [ ${#PASSED[@]} -gt 0 ]; then
      echo "    passed before it: ${PASSED[*]}" >&2
    fi
    echo "test.sh: FAILED (stage $name) in $((SECONDS - START)) s" >&2
    exit "$rc"
  fi
  PASSED+=("$name(${took}s)")
  printf '==> [%s] ok in %d s\n' "$name" "$took"
}

export CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}
export WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-120}

if [ "${SKIP_SETUP:-0}" != 1 ]; then
  stage setup bash scripts/setup.sh
fi
stage unit cargo test --workspace --exclude app

# The API suite on PostgreSQL: every server/tests/*.rs except recognition (no database in it).
api_on_postgres() {
  local url args=() f name
  url=$(bash scripts/pg.sh start)
  bash scripts/pg.sh clean
  for f in server/tests/*.rs; do
    name=$(basename "$f" .rs)
    [ "$name" = ocr ] || args+=(--test "$name")
  done
  ESIGN_TEST_POSTGRES=$url cargo test -p server "${args[@]}"
}
stage api-pg api_on_postgres
stage fuzz-api cargo xtask fuzz-api
stage component cargo xtask test-components
stage build-app cargo xtask build-app
stage check-wasm cargo xtask check-wasm
stage e2e env E2E_POSTGRES=1 cargo xtask e2e
stage bench cargo xtask bench

echo
echo "test.sh: ALL PASSED in $((SECONDS - START)) s: ${PASSED[*]}"
