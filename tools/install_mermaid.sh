#!/usr/bin/env bash
# Install the Mermaid CLI (mmdc, npm @mermaid-js/mermaid-cli, pinned below) into .ci-node/ in this
# checkout (git-ignored), for the slow test that renders the charts of the fixtures' Markdown reports
# (tests/test_mermaid.py). It drives the system's Chromium (Debian: apt-get install -y chromium);
# puppeteer's own browser download is skipped. Prints the path of mmdc. Needs node/npm.
#   tools/install_mermaid.sh            # install once (a second run only prints the path)
set -euo pipefail
VERSION=11.17.0
here="$(cd "$(dirname "$0")/.." && pwd)"
prefix="$here/.ci-node"
mmdc="$prefix/node_modules/.bin/mmdc"
if [ ! -x "$mmdc" ] || ! grep -q "\"version\": \"$VERSION\"" "$prefix/node_modules/@mermaid-js/mermaid-cli/package.json" 2>/dev/null; then
  command -v npm >/dev/null 2>&1 || { echo "install_mermaid: npm not found" >&2; exit 2; }
  mkdir -p "$prefix"
  echo "install_mermaid: installing @mermaid-js/mermaid-cli@$VERSION into $prefix" >&2
  PUPPETEER_SKIP_DOWNLOAD=1 npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$prefix" \
    "@mermaid-js/mermaid-cli@$VERSION" >&2
fi
if [ ! -x /usr/bin/chromium ] && ! command -v chromium >/dev/null 2>&1; then
  echo "install_mermaid: no chromium (Debian: apt-get install -y chromium)" >&2
  exit 2
fi
echo "$mmdc"
