#!/usr/bin/env bash
# Builds the auction image (examples/auction/Dockerfile) from the jar Maven made, and tags it
#   trench/auction:<project version>   trench/auction:<git short commit>[-dirty]   trench/auction:latest
#
#   mvn -pl examples/auction -am package -DskipTests     # makes examples/auction/target/auction.jar
#   examples/auction/docker-build.sh
#
# The image is rebuilt only when its inputs change: the jar, the Dockerfile, the base image (name and id) and the
# version. Their hash is stored in the image's label dev.trench.auction.inputs; when an image with the current hash
# exists, the script only (re)applies the tags and prints "up to date".
#
# Environment (all optional):
#   BASE_IMAGE   base image (the Dockerfile's BASE_IMAGE argument); default: local/jre:17 when that image exists
#                locally (the CI machine: no registry), otherwise the Dockerfile's default (eclipse-temurin:17-jre)
#   IMAGE        repository name, default trench/auction
#   VERSION      version tag, default the project version from the root pom.xml
#   AUCTION_JAR  the jar, default examples/auction/target/auction.jar
#
# Exit status: 0 built or up to date; 1 with a message otherwise (no docker, no engine, no jar, build failed).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
IMAGE=${IMAGE:-trench/auction}
JAR=${AUCTION_JAR:-$HERE/target/auction.jar}
DOCKERFILE=$HERE/Dockerfile
INPUTS_LABEL=dev.trench.auction.inputs
LOCAL_BASE=local/jre:17

die() { echo "docker-build.sh: $*" >&2; exit 1; }

project_version() {  # the <version> right after <artifactId>trench-parent</artifactId> in the root pom
  awk '/<artifactId>trench-parent<\/artifactId>/ { found = 1; next }
       found && /<version>/ { sub(/.*<version>/, ""); sub(/<\/version>.*/, ""); print; exit }' "$ROOT/pom.xml"
}

git_tag() {  # short commit, with -dirty when tracked files differ from it; empty outside a git work tree
  local commit
  commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null) || return 0
  if [ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
    commit="$commit-dirty"
  fi
  echo "$commit"
}

command -v docker >/dev/null 2>&1 || die "docker is not on the PATH"
docker info >/dev/null 2>&1 ||
  die "no Docker engine answers (on the CI machine: bash ../shared/scripts/docker-up.sh && bash ../shared/scripts/base-images.sh)"
[ -f "$JAR" ] || die "$JAR is missing; build it first: mvn -pl examples/auction -am package -DskipTests"
[ -f "$DOCKERFILE" ] || die "$DOCKERFILE is missing"

VERSION=${VERSION:-$(project_version)}
[ -n "$VERSION" ] || die "could not read the project version from $ROOT/pom.xml (set VERSION=...)"
COMMIT=$(git_tag)

if [ -n "${BASE_IMAGE:-}" ]; then
  base=$BASE_IMAGE
elif docker image inspect "$LOCAL_BASE" >/dev/null 2>&1; then
  base=$LOCAL_BASE
else
  base=""  # the Dockerfile's default
fi
base_name=${base:-$(awk -F= '/^ARG BASE_IMAGE=/ { print $2; exit }' "$DOCKERFILE")}
# (a base not present yet is pulled by the build; the next run sees its id, a new input, and rebuilds once)
base_id=$(docker image inspect -f '{{.Id}}' "$base_name" 2>/dev/null || echo "not-present-locally")

inputs=$( { sha256sum "$JAR" "$DOCKERFILE" | cut -d ' ' -f 1
            echo "base=$base_name@$base_id"
            echo "version=$VERSION"; } | sha256sum | cut -d ' ' -f 1)

tags=("$IMAGE:$VERSION")
[ -z "$COMMIT" ] || tags+=("$IMAGE:$COMMIT")
tags+=("$IMAGE:latest")
[ -n "$COMMIT" ] || echo "docker-build.sh: not a git work tree: no commit tag" >&2

existing=$(docker image ls -q --no-trunc --filter "label=$INPUTS_LABEL=$inputs")
existing=${existing%%$'\n'*}   # the first one (normally the only one)
existing=${existing#sha256:}
if [ -n "$existing" ]; then
  for t in "${tags[@]}"; do docker tag "$existing" "$t"; done
  echo "$IMAGE up to date (inputs ${inputs:0:12}, image ${existing:0:12}): ${tags[*]}"
  exit 0
fi

# A build context of its own: the Dockerfile and the jar at the path the Dockerfile copies (target/auction.jar),
# nothing else (fast to send, independent of .dockerignore and of where the jar was built).
context=$(mktemp -d "${TMPDIR:-/tmp}/auction-image.XXXXXX")
trap 'rm -rf "$context"' EXIT
mkdir -p "$context/target"
cp "$DOCKERFILE" "$context/Dockerfile"
cp "$JAR" "$context/target/auction.jar"

args=(build --label "$INPUTS_LABEL=$inputs" --build-arg "VERSION=$VERSION")
[ -z "$base" ] || args+=(--build-arg "BASE_IMAGE=$base")
for t in "${tags[@]}"; do args+=(-t "$t"); done
args+=("$context")

start=$(date +%s)
docker "${args[@]}" || die "docker build failed (base image: $base_name)"
echo "built ${tags[*]} from $base_name in $(( $(date +%s) - start )) s (inputs ${inputs:0:12})"
