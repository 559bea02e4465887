#!/usr/bin/env bash
# Regenerates config/server.json and the README's Configuration table from ServerConfig.keys.
# Usage: scripts/gen-config-docs.sh [path/to/dense-server]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-.build/debug/dense-server}
"$bin" serve --print-default-config-file > config/server.json
"$bin" serve --print-config-table > /tmp/config-table.md
python3 - <<'PY'
import re
table = open('/tmp/config-table.md').read().strip()
readme = open('README.md').read()
readme = re.sub(r"<!-- config-table:begin -->\n.*?\n<!-- config-table:end -->",
                lambda m: "<!-- config-table:begin -->\n" + table + "\n<!-- config-table:end -->", readme, flags=re.S)
open('README.md', 'w').write(readme)
PY
