#!/usr/bin/env bash
# Builds the three service images from their Dockerfiles (and the console's with --console), with docker or
# podman, whichever answers, from the Quarkus fast-jars in */target/quarkus-app (run `mvn -B package -DskipTests`
# first). With podman and the stand-in bases of containers/base-images.sh in its store, they are passed as the
# build arguments JRE_IMAGE / JDK_IMAGE / DEBIAN_IMAGE; otherwise the Dockerfiles' defaults (the public images)
# are pulled as usual. Prints one line per image: name, seconds, size.
#   containers/build-images.sh [MODULE...]     (default: ingest-service trainer-service inference-service;
#                                               console is the fourth image docker-compose.yml runs)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
pick_engine

images=("${SERVICES[@]}")
[ $# -eq 0 ] || images=("$@")

build_args=()
pull=()
if [ "$ENGINE" = podman ] && image_exists "$STANDIN_JRE"; then
  build_args=(--build-arg JRE_IMAGE="$STANDIN_JRE" --build-arg JDK_IMAGE="$STANDIN_JDK"
              --build-arg DEBIAN_IMAGE="$STANDIN_DEBIAN")
  # Nothing can be pulled where the stand-ins are needed; fail at once instead of timing out on a registry.
  pull=(--pull=never)
  log "engine podman, stand-in base images (containers/base-images.sh)"
else
  log "engine $ENGINE, the Dockerfiles' public base images"
fi

for service in "${images[@]}"; do
  app="$REPO_ROOT/$service/target/quarkus-app"
  [ -f "$app/quarkus-run.jar" ] || die "$app/quarkus-run.jar missing: run 'mvn -B package -DskipTests' first"
  image="fmnist/$service:$SERVICE_VERSION"
  started=$SECONDS
  log "building $image ..."
  "$ENGINE" build --quiet "${pull[@]}" "${build_args[@]}" -f "$REPO_ROOT/$service/src/main/docker/Dockerfile.jvm" \
    -t "$image" "$REPO_ROOT" >/dev/null || die "building $image failed (rerun without --quiet: $ENGINE build -f $service/src/main/docker/Dockerfile.jvm .)"
  log "built $image in $(( SECONDS - started )) s, $(mib "$(image_size "$image")")"
done
