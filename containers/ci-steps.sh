#!/usr/bin/env bash
# The container steps of .ci/run (after `mvn -B verify`, so */target/quarkus-app exist):
#   1. installs podman & co from Debian where missing (podman, buildah, runc, netavark, aardvark-dns, iptables,
#      mmdebstrap, podman-compose, python3-yaml, curl);
#   2. containers/base-images.sh: the stand-in base images and the Kafka 4.1.2 image, where missing or stale;
#   3. containers/build-images.sh: the three service images from their Dockerfiles;
#   4. containers/loop.sh: the loop from the images with the Kubernetes manifests' settings, then the bombs;
#   5. containers/compose.sh: docker-compose.yml with podman-compose, Prometheus, every dashboard query;
#   6. containers/testcontainers.sh: an IT module's container path through podman's Docker API socket;
#   7. monitoring/grafana/schema-check/check.sh: the dashboard against Grafana 12.1.1's dashboard schema (npm).
# Each step cleans up what it started; the first failure stops the run with its message. Prints each step's
# seconds and the total.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$HERE/lib.sh"
started=$SECONDS

missing=()
need() { command -v "$1" >/dev/null 2>&1 || missing+=("$2"); }
need podman podman
need buildah buildah
need runc runc
need mmdebstrap mmdebstrap
need iptables iptables
need podman-compose podman-compose
need curl curl
need shuf coreutils
[ -x /usr/lib/podman/netavark ] || [ -x /usr/libexec/podman/netavark ] || missing+=(netavark)
[ -x /usr/lib/podman/aardvark-dns ] || [ -x /usr/libexec/podman/aardvark-dns ] || missing+=(aardvark-dns)
/usr/bin/python3 -c 'import yaml' 2>/dev/null || missing+=(python3-yaml)
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing ${missing[*]} (apt)"
  [ "$(id -u)" = 0 ] || die "installing ${missing[*]} needs root"
  apt-get update -qq || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
fi
export FMNIST_ENGINE=podman
export FMNIST_DATA_DIR="${FMNIST_DATA_DIR:-$REPO_ROOT/../shared/data/fashion-mnist}"
[ -f "$FMNIST_DATA_DIR/t10k-images-idx3-ubyte.gz" ] || die "no Fashion-MNIST test set in $FMNIST_DATA_DIR"

declare -a timings
step() {
  local name="$1" t=$SECONDS
  shift
  log "== $name"
  "$@" || die "$name failed (see above)"
  timings+=("$(printf '%-34s %4d s' "$name" $(( SECONDS - t )))")
}
step "base images (stand-ins, Kafka)" bash "$HERE/base-images.sh"
step "service images" bash "$HERE/build-images.sh"
step "loop from containers + bombs" bash "$HERE/loop.sh"
if [ -f "$HERE/compose.sh" ]; then step "compose + Prometheus + dashboard" bash "$HERE/compose.sh"; fi
if [ -f "$HERE/testcontainers.sh" ]; then step "Testcontainers through podman" bash "$HERE/testcontainers.sh"; fi
step "dashboard vs Grafana's schema" bash "$REPO_ROOT/monitoring/grafana/schema-check/check.sh"

log "container steps:"
printf '  %s\n' "${timings[@]}"
log "container steps finished in $(( SECONDS - started )) s"
