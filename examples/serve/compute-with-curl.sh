#!/bin/sh
# Computes the sample data's figures through `esms serve` with curl: the NDJSON files streamed as one body.
#
#   pnpm -s esms serve &                      # listens on 127.0.0.1:8787
#   examples/serve/compute-with-curl.sh [URL] [MEASURE_DATE]
#
# Then, the FHIR way (over the configured sources; needs `esms serve --config FILE`):
#   curl "$URL/fhir/Measure/taux-dossiers-actifs/\$evaluate-measure?periodEnd=2024-03-31&subject=Organization/970407680"
set -eu
URL="${1:-http://127.0.0.1:8787}"
MEASURE_DATE="${2:-2024-04-01}"
DIR="$(cd "$(dirname "$0")/../sample-data" && pwd)"
cat "$DIR"/*.ndjson |
  curl --fail-with-body --silent --show-error \
    -H 'Content-Type: application/x-ndjson' -T - -X POST \
    "$URL/compute?measureDate=$MEASURE_DATE"
echo
