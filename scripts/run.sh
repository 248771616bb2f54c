#!/usr/bin/env bash
# Command 1: install what is missing, build the release bundle and the server, and run the
# product in local mode (offline; demo corps and people, SMS/WeCom messages in /dev/outbox).
#
#   bash scripts/run.sh                       # http://127.0.0.1:8080
#   ESIGN_ADDR=0.0.0.0:9000 bash scripts/run.sh
#   SKIP_SETUP=1 bash scripts/run.sh          # tools known to be installed
#
# Data (SQLite, uploads) lives in ./data; delete it, or POST /dev/reset, to start over.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
case ":$PATH:" in *":$HOME/.cargo/bin:"*) ;; *) export PATH="$HOME/.cargo/bin:$PATH" ;; esac

ADDR=${ESIGN_ADDR:-127.0.0.1:8080}

if [ "${SKIP_SETUP:-0}" != 1 ]; then
  bash scripts/setup.sh
fi

echo "run: building the app (release bundle in dist/)…"
cargo xtask build-app
echo "run: building the server (release)…"
cargo build --release -p server

# A URL people can click even when listening on all interfaces.
HOST=${ADDR%:*}
PORT=${ADDR##*:}
case "$HOST" in 0.0.0.0 | "[::]" | "") HOST=127.0.0.1 ;; esac
URL="http://$HOST:$PORT"

cat <<EOF

  企业认证 · 腾讯电子签 (local mode) — $URL

  Sign in as one of the demo people (full list: $URL/dev/login):
    $URL/dev/login?user=wangjianguo   王建国, WeCom admin and legal rep of 星河云图
    $URL/dev/login?user=zhangwei      张伟, admin applicant who must ask the legal rep
    $URL/dev/login?user=lina          李娜, ordinary employee
    $URL/dev/login?user=wuhao         吴昊, admin of 北辰物流 (成员授权 install)
  Sent SMS and WeCom messages (codes, links): $URL/dev/outbox
  Stop with Ctrl-C. Data: ./data

EOF

exec ./target/release/server --addr "$ADDR" --static-dir dist --providers local
