#!/usr/bin/env python3
"""Computes the ESMS numérique indicators through `esms serve`, with Python's standard library only.

What a DUI written in another language than Node does: stream its FHIR records (NDJSON, one resource a
line) to the local service and read back the results document (contract.md §2), the same as
`esms compute` gives for the same records.

    python3 examples/serve/client.py --url http://127.0.0.1:8787 \
        --input examples/sample-data --measure-date 2024-04-01 > results.json

Options: --format measurereport (summary MeasureReports), --explain FINESS (needs the service's token in
the ESMS_SERVE_TOKEN environment variable: explanations name persons). Exit 0 on success; on a 4xx/5xx
the OperationOutcome's diagnostics go to standard error, exit 1.
"""

import argparse
import http.client
import json
import os
import sys
import urllib.parse
from pathlib import Path

CHUNK_BYTES = 1024 * 1024


def ndjson_files(paths):
    """The NDJSON files given, directories walked, in name order (as esms compute reads them)."""
    files = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.ndjson") if p.is_file()))
        else:
            files.append(path)
    return files


def body_chunks(files):
    """The files one after the other, a chunk at a time: the body is streamed, never held whole."""
    for file in files:
        last = b""
        with open(file, "rb") as stream:
            while True:
                chunk = stream.read(CHUNK_BYTES)
                if not chunk:
                    break
                last = chunk
                yield chunk
        # A file whose last line has no newline must not run into the next file's first line.
        if last and not last.endswith(b"\n"):
            yield b"\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8787")
    parser.add_argument("--input", nargs="+", required=True)
    parser.add_argument("--measure-date", required=True)
    parser.add_argument("--format", choices=["results", "measurereport"], default="results")
    parser.add_argument("--explain")
    args = parser.parse_args()

    query = {"measureDate": args.measure_date, "format": args.format}
    headers = {"Content-Type": "application/x-ndjson", "Transfer-Encoding": "chunked"}
    if args.explain:
        query["explain"] = args.explain
        token = os.environ.get("ESMS_SERVE_TOKEN")
        if not token:
            sys.exit("client.py: --explain needs the service's token in ESMS_SERVE_TOKEN")
        headers["Authorization"] = "Bearer " + token

    url = urllib.parse.urlsplit(args.url)
    connection = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=600)
    connection.request(
        "POST",
        "/compute?" + urllib.parse.urlencode(query),
        body=body_chunks(ndjson_files(args.input)),
        headers=headers,
        encode_chunked=True,
    )
    response = connection.getresponse()
    payload = response.read()
    if response.status != 200:
        try:
            issues = json.loads(payload)["issue"]
            for issue in issues:
                where = ", ".join(issue.get("expression", []))
                print(f"client.py: HTTP {response.status}: {issue['diagnostics']}" + (f" ({where})" if where else ""), file=sys.stderr)
        except (ValueError, KeyError):
            print(f"client.py: HTTP {response.status}", file=sys.stderr)
        return 1
    json.dump(json.loads(payload), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
