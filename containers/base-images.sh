#!/usr/bin/env bash
# Makes stand-ins for the public base images where no registry is reachable (this machine, CI), from
# Debian bookworm packages with mmdebstrap, and imports them into podman's store:
#   localhost/fmnist-standin/debian:bookworm-slim   minbase Debian         (for debian:bookworm-slim)
#   localhost/fmnist-standin/jre:17                 + openjdk-17-jre-headless (for eclipse-temurin:17-jre)
#   localhost/fmnist-standin/jdk:17                 + openjdk-17-jdk-headless (for eclipse-temurin:17-jdk)
#   localhost/fmnist-standin/prometheus:debian      + Debian's prometheus 2.42 (for prom/prometheus)
#   docker.io/apache/kafka:4.1.2                    Kafka 4.1.2's Maven Central jars on the JRE stand-in
# An image already in the store is kept while its recipe (a label) is unchanged, so a second run takes a few seconds.
# The Dockerfiles keep the public images as defaults of their build arguments; build-images.sh passes these.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ENGINE=podman
pick_engine
[ "$ENGINE" = podman ] || die "stand-ins are imported into podman's store; with docker, pull the public images instead"
command -v mmdebstrap >/dev/null 2>&1 || die "mmdebstrap not found (apt-get install mmdebstrap)"

MIRROR="${FMNIST_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SUITE=bookworm
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Keeps documentation out but every package's copyright file in.
slim=(--dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*'
      --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright'
      # openjdk's postinst registers man pages with update-alternatives, which fails without this directory.
      --essential-hook='mkdir -p "$1/usr/share/man/man1"')
path_env='ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

# debootstrap_image NAME PACKAGES [podman-import --change ...]
debootstrap_image() {
  local name="$1" packages="$2"
  shift 2
  # The recipe's hash is a label of the image: a changed recipe rebuilds it.
  local recipe
  recipe="$(printf '%s\n' "$SUITE" "$packages" "${slim[@]}" "${HOOKS[@]}" "$@" | sha256sum | cut -c1-16)"
  if image_exists "$name" && [ "$(image_label "$name" dev.fmnist.inputs)" = "$recipe" ]; then
    log "base image $name: present (recipe $recipe)"; return 0
  fi
  local started=$SECONDS tar="$work/rootfs.tar"
  log "base image $name: mmdebstrap ${packages:-minbase} ..."
  local include=()
  [ -z "$packages" ] || include=(--include="$packages")
  mmdebstrap --quiet --variant=minbase "${slim[@]}" "${include[@]}" "${HOOKS[@]}" \
    "$SUITE" "$tar" "$MIRROR" || die "mmdebstrap for $name failed"
  podman import --quiet --change "$path_env" --change 'ENV LANG=C.UTF-8' --change "LABEL dev.fmnist.inputs=$recipe" \
    "$@" "$tar" "$name" >/dev/null \
    || die "podman import of $name failed"
  rm -f "$tar"
  log "base image $name: built in $(( SECONDS - started )) s, $(mib "$(image_size "$name")")"
}

HOOKS=()
debootstrap_image "$STANDIN_DEBIAN" ""
debootstrap_image "$STANDIN_JRE" "openjdk-17-jre-headless,ca-certificates" \
  --change 'ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64'
debootstrap_image "$STANDIN_JDK" "openjdk-17-jdk-headless,ca-certificates" \
  --change 'ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64'
# As prom/prometheus: the binary as entrypoint, data under /prometheus owned by nobody.
# Debian's binary defaults its storage to /var/lib/prometheus/metrics2 (prom/prometheus: data/ in /prometheus), so both
# are writable by nobody: the compose file's command (no --storage.tsdb.path) then runs as with prom/prometheus.
HOOKS=(--customize-hook='mkdir -p "$1/prometheus" "$1/var/lib/prometheus" && chown -R 65534:65534 "$1/prometheus" "$1/var/lib/prometheus"')
debootstrap_image "$STANDIN_PROMETHEUS" "prometheus" \
  --change 'ENTRYPOINT ["/usr/bin/prometheus"]' \
  --change 'CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]' \
  --change 'WORKDIR /prometheus' --change 'USER 65534' --change 'EXPOSE 9090'

# The Kafka image is ours: rebuilt when its inputs (containers/kafka/) changed since the image in the store was built.
kafka_inputs="$(cd "$CONTAINERS_DIR/kafka" && find . -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)"
if image_exists "$KAFKA_IMAGE" && [ "$(image_label "$KAFKA_IMAGE" dev.fmnist.inputs)" = "$kafka_inputs" ]; then
  log "base image $KAFKA_IMAGE: present (inputs $kafka_inputs)"
else
  started=$SECONDS
  log "base image $KAFKA_IMAGE: Kafka 4.1.2 jars from Maven (containers/kafka/pom.xml) on $STANDIN_JRE ..."
  cp -r "$CONTAINERS_DIR/kafka/bin" "$CONTAINERS_DIR/kafka/run" "$work/"
  # Offline first (the jars are usually in ~/.m2 already), else from Maven Central.
  copy_jars() { mvn -B -q "$@" -f "$CONTAINERS_DIR/kafka/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$work/libs" >"$work/mvn.log" 2>&1; }
  copy_jars -o || copy_jars || { cat "$work/mvn.log" >&2; die "could not resolve Kafka 4.1.2's jars"; }
  podman build --quiet --pull=never --build-arg JRE_IMAGE="$STANDIN_JRE" \
    --label dev.fmnist.inputs="$kafka_inputs" -f "$CONTAINERS_DIR/kafka/Containerfile" \
    -t "$KAFKA_IMAGE" "$work" >/dev/null || die "building $KAFKA_IMAGE failed"
  log "base image $KAFKA_IMAGE: built in $(( SECONDS - started )) s, $(mib "$(image_size "$KAFKA_IMAGE")")"
fi
