"""Compares the dashboard check's results against rocketd and against the Java 4.9.8 reference.

    compare.py build/dashboard/rocketd/result.json build/dashboard/java/result.json

Each page must pass on both, and show the same row once what differs between two runs is masked: addresses
(host:port), the host part of message ids, store times. Exit status 1 on a difference.
"""
import json
import re
import sys

MASKS = [
    (re.compile(r"\b[0-9A-F]{16}([0-9A-F]{16})\b"), r"MSGHOST\1"),  # message id: ip+port, then the commitlog offset
    (re.compile(r"\b\d{1,3}(\.\d{1,3}){3}:\d+\b"), "ADDR"),
    (re.compile(r"\b\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\b"), "TIME"),
]


def norm(row):
    for pat, rep in MASKS:
        row = pat.sub(rep, row)
    return row


def main():
    ours, java = (json.load(open(p)) for p in sys.argv[1:3])
    bad = 0
    for page in sorted(set(ours) | set(java)):
        o, j = ours.get(page, {}), java.get(page, {})
        same = norm(o.get("row", "")) == norm(j.get("row", ""))
        status = "ok" if o.get("ok") and j.get("ok") and same else "DIFFERENT"
        bad += status != "ok"
        print(f"{page:18} {status:9} rocketd: {o.get('row', '')!r}")
        print(f"{'':18} {'':9} java:    {j.get('row', '')!r}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
