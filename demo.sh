#!/usr/bin/env bash
# Builds the auction example (and the modules it needs) and starts the whole cluster in one JVM:
# the API and the page at http://localhost:8080/, two workers, two websocket nodes, bidding bots.
# Options are passed to the 'all' role, e.g. ./demo.sh --no-demo --api-port 9080 (see: ./demo.sh --help).
set -euo pipefail
cd "$(dirname "$0")"
./mvnw -q -B -DskipTests -pl examples/auction -am package
exec java -jar examples/auction/target/auction.jar all "$@"
