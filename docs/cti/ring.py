#!/usr/bin/env python3
"""Announce a ringing call to Baishitong (CTI screen pop): what a PBX hook does, in the standard library only.

    ring.py --url http://10196.example:8000 --token <CTI token> --phone 13800138000 --agent 8001

`--agent` is the answering agent's login or extension (set in the admin under 坐席分机). The token is the CTI
service account's (`manage.py cti_account`). Exit status 0 on 202, 1 otherwise (the reason on stderr).
Asterisk runs it from the dial plan (System()) or an AMI listener calls the same endpoint: docs/cti.md."""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request


def ring(url: str, token: str, phone: str, agent: str, timeout: float = 2.0) -> int:
    body = json.dumps({"phone": phone, "agent": agent}).encode()
    request = urllib.request.Request(
        url.rstrip("/") + "/api/v1/cti/ringing/",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        print(exc.read().decode("utf-8", "replace"), file=sys.stderr)
        return exc.code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--phone", required=True)
    parser.add_argument("--agent", required=True)
    args = parser.parse_args(argv)
    status = ring(args.url, args.token, args.phone, args.agent)
    return 0 if status == 202 else 1


if __name__ == "__main__":
    sys.exit(main())
