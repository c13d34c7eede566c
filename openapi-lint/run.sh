#!/usr/bin/env bash
# Lints each service's OpenAPI document (written by `mvn package` to <service>/target/openapi/openapi.yaml)
# with the pinned Redocly CLI and redocly.yaml; exits non-zero when any document has an error.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
cd "$here"
npm ci --no-audit --no-fund --loglevel=error
status=0
for service in ingest-service trainer-service inference-service console; do
  document="$root/$service/target/openapi/openapi.yaml"
  if [[ ! -f "$document" ]]; then
    echo "openapi-lint: $document is missing (run mvn package first)" >&2
    status=1
    continue
  fi
  echo "== $service"
  if ! NO_UPDATE_NOTIFIER=1 REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
      npx --no-install redocly lint --config "$here/redocly.yaml" --format=summary "$document"; then
    status=1
  fi
done
exit "$status"
