#!/usr/bin/env python3
"""Checks a CAP 1.2 alert with the `capvalidator` package (the OASIS CAP 1.2 XML schema).

Usage: check_cap.py [FILE]   (reads stdin without FILE or with "-")

Fails (exit status 1, the reasons on stderr) when `capvalidator.check_schema` refuses the
document; the schema's own messages, from the XSD that capvalidator ships, say where. The alert
is not signed, so the signature step is not run.

On success prints one JSON object to stdout:
  {"identifier", "sender", "sent", "msgType", "status", "scope", "references": str|null,
   "info": [{"language", "event", "urgency", "severity", "certainty", "expires", "areas": [...]}]}
"""

import json
import sys
from importlib.resources import files

import capvalidator
from lxml import etree

NS = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "-"
    data = sys.stdin.buffer.read() if path == "-" else open(path, "rb").read()
    result = capvalidator.check_schema(data)
    if not result.passed:
        print(f"check_cap: {result.message}", file=sys.stderr)
        xsd = files("capvalidator").joinpath("static/CAP-v1.2-schema.xsd").read_bytes()
        schema = etree.XMLSchema(etree.XML(xsd))
        try:
            schema.validate(etree.fromstring(data))
            for e in schema.error_log:
                print(f"check_cap: line {e.line}: {e.message}", file=sys.stderr)
        except etree.XMLSyntaxError as e:
            print(f"check_cap: not XML: {e}", file=sys.stderr)
        sys.exit(1)
    root = etree.fromstring(data)

    def text(node, name):
        found = node.find(f"cap:{name}", NS)
        return found.text if found is not None else None

    info = []
    for i in root.findall("cap:info", NS):
        info.append({
            "language": text(i, "language"),
            "event": text(i, "event"),
            "urgency": text(i, "urgency"),
            "severity": text(i, "severity"),
            "certainty": text(i, "certainty"),
            "expires": text(i, "expires"),
            "areas": [text(a, "areaDesc") for a in i.findall("cap:area", NS)],
        })
    print(json.dumps({
        "identifier": text(root, "identifier"),
        "sender": text(root, "sender"),
        "sent": text(root, "sent"),
        "msgType": text(root, "msgType"),
        "status": text(root, "status"),
        "scope": text(root, "scope"),
        "references": text(root, "references"),
        "info": info,
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
