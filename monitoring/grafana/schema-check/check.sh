#!/usr/bin/env bash
# The Grafana dashboards checked against the dashboard schema of the Grafana release docker-compose.yml runs
# (grafana/grafana:12.1.1): @grafana/schema 12.1.1 from npm publishes that schema as TypeScript types (generated
# by Grafana from its CUE kinds), and TypeScript's excess-property and type checks on the dashboard as an object
# literal of type Dashboard refuse an unknown field or a wrongly typed value at the dashboard, panel, target,
# gridPos, fieldConfig and datasource levels (panel `options` are plugin-specific and typed loosely there).
# Grafana itself is not run: rendering and the panel plugins' own option schemas are not checked.
#   monitoring/grafana/schema-check/check.sh
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DASHBOARDS="$HERE/../dashboards"
command -v npm >/dev/null 2>&1 || { echo "schema-check: npm not found (apt-get install nodejs npm)" >&2; exit 1; }
(cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || { echo "schema-check: npm ci failed" >&2; exit 1; }
compose_grafana="$(sed -n 's|^ *image: grafana/grafana:||p' "$HERE/../../../docker-compose.yml")"
schema="$(node -p 'require(process.argv[1]).version' "$HERE/node_modules/@grafana/schema/package.json")"
[ "$compose_grafana" = "$schema" ] \
  || { echo "schema-check: docker-compose.yml runs Grafana $compose_grafana but package.json pins @grafana/schema $schema" >&2; exit 1; }
rm -rf "$HERE/.check" && mkdir -p "$HERE/.check"
trap 'rm -rf "$HERE/.check"' EXIT
for dashboard in "$DASHBOARDS"/*.json; do
  name="$(basename "$dashboard" .json)"
  { echo "import type { Dashboard } from '@grafana/schema';"
    printf 'export const dashboard: Dashboard = '
    cat "$dashboard"
    echo ';'; } >"$HERE/.check/$name.ts"
done
if ! (cd "$HERE" && npx tsc --noEmit --strict --skipLibCheck --module esnext --moduleResolution bundler --target es2022 .check/*.ts); then
  echo "schema-check: a dashboard does not match Grafana $schema's dashboard schema (errors above; line numbers are the JSON's + 1)" >&2
  exit 1
fi
echo "schema-check: $(ls "$DASHBOARDS"/*.json | wc -l) dashboard(s) match the dashboard schema of Grafana $schema (@grafana/schema $schema)"
