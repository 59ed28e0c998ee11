#!/usr/bin/env python3
"""Parses an Atom feed with the `feedparser` package, as strictly as it allows.

Usage: check_atom.py [FILE]   (reads stdin without FILE or with "-")

Fails (exit status 1, the reasons on stderr) when feedparser flags the document as ill-formed
(`bozo`), when it is not Atom 1.0, or when the feed or an entry lacks its id, title or updated.

On success prints one JSON object to stdout:
  {"title", "id", "updated", "entries": [{"id", "title", "updated", "summary",
   "categories": [term...], "links": [{"rel", "href", "type"}]}]}
"""

import json
import sys

import feedparser


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "-"
    data = sys.stdin.buffer.read() if path == "-" else open(path, "rb").read()
    parsed = feedparser.parse(data)
    problems = []
    if parsed.bozo:
        problems.append(f"ill-formed: {parsed.bozo_exception}")
    if parsed.version != "atom10":
        problems.append(f"not Atom 1.0 but {parsed.version!r}")
    feed = parsed.feed
    for key in ("id", "title", "updated"):
        if not feed.get(key):
            problems.append(f"the feed has no {key}")
    for n, e in enumerate(parsed.entries, 1):
        for key in ("id", "title", "updated"):
            if not e.get(key):
                problems.append(f"entry {n} has no {key}")
    if problems:
        for p in problems:
            print(f"check_atom: {p}", file=sys.stderr)
        sys.exit(1)
    print(json.dumps({
        "title": feed.get("title"),
        "id": feed.get("id"),
        "updated": feed.get("updated"),
        "entries": [{
            "id": e.get("id"),
            "title": e.get("title"),
            "updated": e.get("updated"),
            "summary": e.get("summary"),
            "categories": [t.get("term") for t in e.get("tags", [])],
            "links": [{"rel": l.get("rel"), "href": l.get("href"), "type": l.get("type")} for l in e.get("links", [])],
        } for e in parsed.entries],
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
