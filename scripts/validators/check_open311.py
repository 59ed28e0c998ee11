#!/usr/bin/env python3
"""Checks a live Open311 GeoReport v2 endpoint with an independent client (the `georeport` package)
and JSON Schema (`jsonschema`, the schemas in scripts/validators/open311/), in JSON and in XML.

Usage:
  check_open311.py BASE_URL [--jurisdiction ID] [--service-code C] [--request-id ID]
                   [--check-errors] [--timeout SECONDS]
  check_open311.py --document KIND FILE

BASE_URL is the endpoint's root, e.g. http://127.0.0.1:8080/open311/v2; the resources are
BASE_URL/services.json, services/{code}.json, requests.json and requests/{id}.json (and .xml), with
jurisdiction_id as a query parameter when --jurisdiction is given (the client sends it only then).

The endpoint mode fetches with `georeport.GeoReport` (output_format "json" and then "xml"):
  get_service_list()            GET services.{fmt}
  get_service_definition(code)  GET services/{code}.{fmt}: the service given by --service-code, else
                                the first one with metadata true (none: not checked, see "notes")
  get_service_requests()        GET requests.{fmt}
  get_service_request(id)       GET requests/{id}.{fmt}: --request-id, else the first of the list
                                (an empty list: not checked, see "notes")
and checks, each failure one line on stderr and exit status 1:
- every answer is HTTP 200 with Content-Type application/json (JSON) or text/xml or application/xml
  (XML), any charset being UTF-8, and a body in UTF-8; the client reads it without an error;
- every JSON answer validates against its schema (services, service-definition, requests; the one
  request is a requests list of exactly one item, with the asked id); errors give the endpoint, the
  place in the document (a JSON path), the message and the schema's keyword path;
- every XML answer starts with an XML declaration that names UTF-8, parses with lxml, has the
  GeoReport v2 elements (<services><service>, <service_definition> with
  <attributes><attribute><values><value>, <service_requests><request>), no element twice in an item,
  no XML attributes; its values read as typed JSON ("true"/"false" for metadata, variable and
  required, integers for order, numbers for lat and long; an empty element is null) validate
  against the same schema;
- the XML form carries the same items as the JSON form (services by service_code, requests by
  service_request_id, every field equal; null, "" and [] count as absent), and what the client read
  from the XML (xmltodict) equals what lxml read;
- the service definition is the asked one; the one request equals its item of the list;
- service codes and request ids are unique in their lists;
- with --check-errors: the client's get_service_definition(UNKNOWN) and get_service_request(UNKNOWN)
  get HTTP 404, and get_service_list() with jurisdiction_id UNKNOWN (when --jurisdiction is given)
  gets a 4xx, so that the client raises requests.HTTPError; each body is a GeoReport error document
  (JSON: errors.schema.json; XML: <errors><error><code/><description/></error></errors>) whose code
  is the HTTP status.

On success prints one JSON object to stdout:
  {"base_url", "jurisdiction_id", "checked": [{"call", "format", "url", "status", "content_type",
   "items", "schema"}], "services": n, "service_codes": [...], "service_definition":
   {"service_code", "attributes"} | null, "requests": n, "request": {"service_request_id"} | null,
   "errors_checked": n, "notes": [...]}

The document mode checks one answer body (JSON or XML, told apart by its first character) as KIND,
one of: services, service-definition, requests, request-created (POST requests), token (GET
tokens/{token}), errors, discovery. It prints {"kind", "format", "items", "document"} with the
document as typed JSON (XML read as above), or the failures on stderr with exit status 1.
"""

import json
import math
import re
import sys
import uuid
from pathlib import Path

import georeport
import requests
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import best_match
from lxml import etree
from referencing import Registry, Resource

SCHEMAS = Path(__file__).resolve().parent / "open311"
MAX_SCHEMA_ERRORS = 20

# ---------------------------------------------------------------------------------------------
# Problems


class Problems:
    def __init__(self):
        self.items = []

    def add(self, where, message):
        self.items.append(f"{where}: {message}" if where else message)

    def __bool__(self):
        return bool(self.items)

    def fail(self):
        for p in self.items:
            print(f"check_open311: {p}", file=sys.stderr)
        sys.exit(1)


# ---------------------------------------------------------------------------------------------
# JSON Schema


def load_schemas():
    registry = Registry()
    schemas = {}
    for path in sorted(SCHEMAS.glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        registry = registry.with_resource(schema["$id"], Resource.from_contents(schema))
        schemas[path.name] = schema
    validators = {}
    for name, schema in schemas.items():
        Draft202012Validator.check_schema(schema)
        validators[name] = Draft202012Validator(schema, registry=registry, format_checker=FormatChecker())
    return validators


VALIDATORS = None


def validate(document, schema_name, where, problems):
    global VALIDATORS
    if VALIDATORS is None:
        VALIDATORS = load_schemas()
    errors = sorted(VALIDATORS[schema_name].iter_errors(document), key=lambda e: list(e.absolute_path))
    for e in errors[:MAX_SCHEMA_ERRORS]:
        message = e.message if len(e.message) <= 300 else e.message[:297] + "..."
        if e.context:  # anyOf / oneOf: say which branch came closest
            message += f" ({best_match(e.context).message})"
        keyword_path = "/".join(str(p) for p in e.absolute_schema_path)
        problems.add(where, f"{schema_name}: at {e.json_path}: {message} [schema: {keyword_path}]")
    if len(errors) > MAX_SCHEMA_ERRORS:
        problems.add(where, f"{schema_name}: {len(errors) - MAX_SCHEMA_ERRORS} more schema errors")
    return not errors


# ---------------------------------------------------------------------------------------------
# GeoReport v2 XML, read with lxml into the JSON form

# root element, item element (None: the root is one object), schema
XML_KINDS = {
    "services": ("services", "service", "services.schema.json"),
    "service-definition": ("service_definition", None, "service-definition.schema.json"),
    "requests": ("service_requests", "request", "requests.schema.json"),
    "request-created": ("service_requests", "request", "request-created.schema.json"),
    "token": ("service_requests", "request", "token.schema.json"),
    "errors": ("errors", "error", "errors.schema.json"),
    "discovery": ("discovery", None, "discovery.schema.json"),
}
# element holding a list -> the element of each item
XML_LISTS = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format"}
# (item element, field) -> type of the text
XML_TYPES = {
    ("service", "metadata"): "bool",
    ("attribute", "variable"): "bool",
    ("attribute", "required"): "bool",
    ("attribute", "order"): "int",
    ("request", "lat"): "number",
    ("request", "long"): "number",
    ("error", "code"): "int",
}
XML_DECLARATION = re.compile(rb"""^<\?xml\s[^>]*encoding\s*=\s*["']utf-8["'][^>]*\?>""", re.IGNORECASE)


def xml_raw(element, doc, path, problems, index=None):
    """The element as JSON with every value a string (None for an empty element); `doc` names the
    answer and `path` the element's parent in problems."""
    path = f"{path}/{element.tag}" + (f"[{index}]" if index else "")
    where = f"{doc} at {path}"
    if element.attrib:
        problems.add(where, f"XML attributes {dict(element.attrib)} (GeoReport v2 XML has none)")
    children = [c for c in element if isinstance(c.tag, str)]  # no comments, processing instructions
    if element.tag in XML_LISTS:
        item = XML_LISTS[element.tag]
        if (element.text or "").strip():
            problems.add(where, f"text {element.text.strip()!r} beside the <{item}> items")
        out = []
        for c in children:
            if c.tag != item:
                problems.add(where, f"<{c.tag}> where only <{item}> may be")
                continue
            out.append(xml_raw(c, doc, path, problems, len(out) + 1))
        return out
    if not children:
        return element.text if element.text else None
    if (element.text or "").strip():
        problems.add(where, f"text {element.text.strip()!r} mixed with elements")
    out = {}
    for c in children:
        if c.tag in out:
            problems.add(where, f"<{c.tag}> appears twice")
            continue
        out[c.tag] = xml_raw(c, doc, path, problems)
    return out


def xml_typed(value, item, doc, path, problems):
    """The raw JSON of the element `item` (at `path`) with its typed fields converted."""
    if not isinstance(value, dict):
        return value
    out = {}
    for field, v in value.items():
        kind = XML_TYPES.get((item, field))
        if isinstance(v, list):
            child = XML_LISTS.get(field)
            out[field] = [
                xml_typed(x, child, doc, f"{path}/{field}/{child}[{n}]", problems) for n, x in enumerate(v, start=1)
            ]
        elif isinstance(v, dict):
            out[field] = xml_typed(v, field, doc, f"{path}/{field}", problems)
        elif v is None or kind is None:
            out[field] = v
        else:
            out[field] = convert(v, kind, f"{doc} at {path}/{field}", problems)
    return out


def convert(text, kind, where, problems):
    t = text.strip()
    if kind == "bool":
        if t in ("true", "false"):
            return t == "true"
        problems.add(where, f"{text!r} is not true or false")
    elif kind == "int":
        if re.fullmatch(r"-?[0-9]+", t):
            return int(t)
        problems.add(where, f"{text!r} is not an integer")
    elif kind == "number":
        if re.fullmatch(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?", t):
            return float(t)
        problems.add(where, f"{text!r} is not a decimal number")
    return text


def read_xml(body, kind, where, problems):
    """(raw, typed) JSON of an XML answer of KIND, or (None, None) when it cannot be read."""
    root_name, item_name, _ = XML_KINDS[kind]
    if body.startswith(b"\xef\xbb\xbf"):
        problems.add(where, "the XML starts with a byte order mark")
        body = body[3:]
    if not XML_DECLARATION.match(body):
        problems.add(where, 'the XML must start with an XML declaration naming UTF-8 (<?xml version="1.0" encoding="UTF-8"?>)')
    try:
        root = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as e:
        problems.add(where, f"not well-formed XML: {e}")
        return None, None
    if root.tag != root_name:
        problems.add(where, f"the root element is <{root.tag}>, GeoReport v2 has <{root_name}> here")
        return None, None
    if root.nsmap:
        problems.add(where, f"XML namespaces {root.nsmap} (GeoReport v2 XML has none)")
    if item_name is None:
        raw = xml_raw(root, where, "", problems)
        if raw is None:  # <service_definition/>
            raw = {}
        if not isinstance(raw, dict):
            problems.add(where, f"<{root_name}> holds text, not elements")
            return None, None
        return raw, xml_typed(raw, root_name, where, f"/{root_name}", problems)
    raw = []
    if (root.text or "").strip():
        problems.add(where, f"<{root_name}> holds text beside the <{item_name}> items")
    for c in (c for c in root if isinstance(c.tag, str)):
        if c.tag != item_name:
            problems.add(where, f"<{c.tag}> in <{root_name}>, where only <{item_name}> may be")
            continue
        value = xml_raw(c, where, f"/{root_name}", problems, len(raw) + 1)
        if not isinstance(value, dict):
            problems.add(where, f"<{item_name}> {len(raw) + 1} holds no elements")
            value = {}
        raw.append(value)
    typed = [
        xml_typed(v, item_name, where, f"/{root_name}/{item_name}[{n}]", problems) for n, v in enumerate(raw, start=1)
    ]
    return raw, typed


# ---------------------------------------------------------------------------------------------
# Comparisons


def normalized(value, strip=False):
    """JSON with null, "" and [] members left out, numbers as floats, strings stripped if asked."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            v = normalized(v, strip)
            if v is None or v == "" or v == []:
                continue
            out[k] = v
        return out
    if isinstance(value, list):
        return [normalized(v, strip) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and strip:
        return value.strip()
    return value


def short(value, limit=160):
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def differences(a, b, path="$"):
    """Where JSON a and b differ (after `normalized`), as 'path: a vs b' lines."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b)):
            if k not in b:
                out.append(f"{path}.{k}: {short(a[k])} vs absent")
            elif k not in a:
                out.append(f"{path}.{k}: absent vs {short(b[k])}")
            else:
                out += differences(a[k], b[k], f"{path}.{k}")
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items vs {len(b)}"]
        out = []
        for n, (x, y) in enumerate(zip(a, b)):
            out += differences(x, y, f"{path}[{n}]")
        return out
    if isinstance(a, float) and isinstance(b, float) and not isinstance(a, bool) and not isinstance(b, bool):
        return [] if math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12) else [f"{path}: {short(a)} vs {short(b)}"]
    return [] if a == b else [f"{path}: {short(a)} vs {short(b)}"]


def keyed(items, key, where, problems):
    """{items[i][key]: items[i]}; duplicate or missing keys are problems."""
    out = {}
    for n, item in enumerate(items):
        k = item.get(key) if isinstance(item, dict) else None
        if k is None:
            continue  # the schema reports it
        if k in out:
            problems.add(where, f"{key} {k!r} appears twice")
        out[k] = item
    return out


def compare_forms(json_items, xml_items, key, where, problems):
    """The XML form must carry the same items as the JSON one (matched by `key` when a list)."""
    if isinstance(json_items, list) != isinstance(xml_items, list):
        return  # the schema reports the wrong shape
    if isinstance(json_items, list):
        j = keyed(json_items, key, f"{where} json", problems)
        x = keyed(xml_items, key, f"{where} xml", problems)
        for k in sorted(set(j) - set(x), key=str):
            problems.add(where, f"{key} {k!r} is in the JSON, not in the XML")
        for k in sorted(set(x) - set(j), key=str):
            problems.add(where, f"{key} {k!r} is in the XML, not in the JSON")
        pairs = [(f"{key}={k}", j[k], x[k]) for k in sorted(set(j) & set(x), key=str)]
    else:
        pairs = [("", json_items, xml_items)]
    for label, a, b in pairs:
        for d in differences(normalized(a), normalized(b)):
            problems.add(where, f"JSON vs XML differ{(' for ' + label) if label else ''}: {d}")


def xmltodict_as_raw(value):
    """The client's xmltodict reading, shaped like `xml_raw` (lists for the list elements)."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k in XML_LISTS:
                inner = v.get(XML_LISTS[k]) if isinstance(v, dict) else None
                if inner is None:
                    inner = []
                elif not isinstance(inner, list):
                    inner = [inner]
                out[k] = [xmltodict_as_raw(i) for i in inner]
            else:
                out[k] = xmltodict_as_raw(v)
        return out
    if isinstance(value, list):
        return [xmltodict_as_raw(v) for v in value]
    return value


def compare_client(client_value, raw, where, problems):
    """What georeport read from the XML must equal what lxml read."""
    if raw is None:
        return
    if isinstance(raw, list):
        if client_value is None:
            client_value = []
        elif not isinstance(client_value, list):  # xmltodict: one item is a dict, not a list
            client_value = [client_value]
    for d in differences(normalized(xmltodict_as_raw(client_value), strip=True), normalized(raw, strip=True)):
        problems.add(where, f"the client (xmltodict) and lxml read the XML differently: {d}")


# ---------------------------------------------------------------------------------------------
# HTTP: every request the client makes goes through here (adds a timeout, keeps the response)

TIMEOUT = 30.0
RESPONSES = []
_requests_get = requests.get


def _recording_get(url, params=None, **kwargs):
    kwargs.setdefault("timeout", TIMEOUT)
    response = _requests_get(url, params=params, **kwargs)
    RESPONSES.append(response)
    return response


requests.get = _recording_get  # georeport calls requests.get(url, params=...) without a timeout

MEDIA_TYPES = {"json": ("application/json",), "xml": ("text/xml", "application/xml")}


def check_http(response, fmt, where, problems):
    content_type = response.headers.get("Content-Type", "")
    media, _, rest = content_type.partition(";")
    if media.strip().lower() not in MEDIA_TYPES[fmt]:
        problems.add(where, f"Content-Type {content_type!r}, expected {' or '.join(MEDIA_TYPES[fmt])}")
    charset = re.search(r"charset\s*=\s*\"?([^\s;\"]+)", rest, re.IGNORECASE)
    if charset and charset.group(1).lower() not in ("utf-8", "utf8"):
        problems.add(where, f"charset {charset.group(1)!r}, GeoReport v2 requires UTF-8")
    try:
        response.content.decode("utf-8")
    except UnicodeDecodeError as e:
        problems.add(where, f"the body is not UTF-8: {e}")


def call(client, method, args, fmt, label, problems, checked, schema):
    """Runs client.method(*args): (client value, response, the client's reading error, its
    "checked" entry); all None when the fetch failed (reported)."""
    where = f"{label} ({fmt})"
    before = len(RESPONSES)
    value = None
    error = None
    try:
        value = getattr(client, method)(*args)
    except requests.HTTPError as e:
        r = e.response
        problems.add(where, f"GET {r.url} answered HTTP {r.status_code}: {r.text[:300]!r}")
        return None, None, None, None
    except requests.RequestException as e:
        problems.add(where, f"the client could not fetch it: {type(e).__name__}: {e}")
        return None, None, None, None
    except Exception as e:  # the client's JSON or XML reading failed (ValueError, KeyError, TypeError, ...)
        error = e
    response = RESPONSES[-1] if len(RESPONSES) > before else None
    entry = None
    if response is not None:
        entry = {
            "call": f"GeoReport.{method}({', '.join(repr(a) for a in args)})",
            "format": fmt,
            "url": response.url,
            "status": response.status_code,
            "content_type": response.headers.get("Content-Type"),
            "items": None,
            "schema": schema,
        }
        checked.append(entry)
        check_http(response, fmt, where, problems)
    return value, response, error, entry


# ---------------------------------------------------------------------------------------------
# The endpoint mode


def check_resource(base, jurisdiction, method, args, label, kind, key, problems, checked, notes):
    """Fetches one resource in JSON and in XML with the client and checks both; returns the JSON."""
    schema = XML_KINDS[kind][2]
    json_client = georeport.GeoReport(base, jurisdiction=jurisdiction, output_format="json")
    xml_client = georeport.GeoReport(base, jurisdiction=jurisdiction, output_format="xml")

    value, response, error, entry = call(json_client, method, args, "json", label, problems, checked, schema)
    json_doc = None
    if response is not None:
        try:
            json_doc = json.loads(response.content.decode("utf-8"))
        except ValueError as e:
            problems.add(f"{label} (json)", f"GET {response.url}: not JSON: {e}")
    if error is not None and json_doc is not None:
        problems.add(f"{label} (json)", f"the client failed to read it: {type(error).__name__}: {error}")
    if json_doc is not None:
        if isinstance(json_doc, list):
            entry["items"] = len(json_doc)
        validate(json_doc, schema, f"{label} (json) GET {response.url}", problems)
        if method == "get_service_request":
            if isinstance(json_doc, list) and json_doc and isinstance(json_doc[0], dict):
                if len(json_doc) != 1:
                    problems.add(f"{label} (json)", f"{len(json_doc)} requests, expected exactly 1")
                if value is not None and value != json_doc[0]:
                    problems.add(f"{label} (json)", "the client read something else than the body as UTF-8 JSON (a charset missing from a text/* Content-Type?)")
            elif isinstance(json_doc, list):
                problems.add(f"{label} (json)", "an empty list, expected the one request")
        elif error is None and value != json_doc:
            problems.add(f"{label} (json)", "the client read something else than the body as UTF-8 JSON (a charset missing from a text/* Content-Type?)")

    value_x, response_x, error_x, entry_x = call(xml_client, method, args, "xml", label, problems, checked, schema)
    xml_typed_doc = None
    if response_x is not None:
        where = f"{label} (xml) GET {response_x.url}"
        raw, xml_typed_doc = read_xml(response_x.content, kind, where, problems)
        if xml_typed_doc is not None:
            validate(xml_typed_doc, schema, where, problems)
        if error_x is not None:
            if isinstance(raw, list) and not raw and isinstance(error_x, TypeError):
                notes.append(f"{label} (xml): an empty <{XML_KINDS[kind][0]}/>; georeport 0.3.1 cannot read an empty XML list (TypeError)")
            else:
                problems.add(f"{label} (xml)", f"the client failed to read it: {type(error_x).__name__}: {error_x}")
        elif raw is not None:
            if method == "get_service_request" and isinstance(raw, list):
                if len(raw) != 1:
                    problems.add(f"{label} (xml)", f"{len(raw)} <request> items, expected exactly 1")
                compare_client(value_x, raw[:1] if len(raw) == 1 else raw, where, problems)
            else:
                compare_client(value_x, raw, where, problems)
        if isinstance(xml_typed_doc, list):
            entry_x["items"] = len(xml_typed_doc)
    if json_doc is not None and xml_typed_doc is not None:
        compare_forms(json_doc, xml_typed_doc, key, label, problems)
    return json_doc


def check_error(base, jurisdiction, method, args, expect, label, problems, checked):
    """client.method(*args) must raise requests.HTTPError for an error status (404, or any 4xx for
    expect=4) whose body is a GeoReport error document, in JSON and in XML."""
    for fmt in ("json", "xml"):
        client = georeport.GeoReport(base, jurisdiction=jurisdiction, output_format=fmt)
        where = f"{label} ({fmt})"
        before = len(RESPONSES)
        try:
            getattr(client, method)(*args)
        except requests.HTTPError:
            pass
        except requests.RequestException as e:
            problems.add(where, f"the client could not fetch it: {type(e).__name__}: {e}")
            continue
        except Exception as e:  # an answer that is not an HTTP error, but not readable either
            problems.add(where, f"expected an HTTP error, the client failed with {type(e).__name__}: {e}")
        else:
            problems.add(where, "expected an HTTP error, the client read an answer")
        if len(RESPONSES) == before:
            continue
        r = RESPONSES[-1]
        call = f"GeoReport.{method}({', '.join(repr(a) for a in args)})"
        checked.append({"call": call, "format": fmt, "url": r.url, "status": r.status_code,
                        "content_type": r.headers.get("Content-Type"), "items": None, "schema": "errors.schema.json"})
        ok = r.status_code == 404 if expect == 404 else 400 <= r.status_code < 500
        if not ok:
            problems.add(where, f"GET {r.url} answered HTTP {r.status_code}, expected {expect if expect == 404 else '4xx'}")
            continue
        check_http(r, fmt, where, problems)
        if fmt == "json":
            try:
                doc = json.loads(r.content.decode("utf-8"))
            except ValueError as e:
                problems.add(where, f"GET {r.url}: the error body is not JSON: {e}")
                continue
        else:
            _, doc = read_xml(r.content, "errors", f"{where} GET {r.url}", problems)
            if doc is None:
                continue
        if validate(doc, "errors.schema.json", f"{where} GET {r.url}", problems):
            codes = {e.get("code") for e in doc}
            if r.status_code not in codes:
                problems.add(where, f"HTTP {r.status_code} but the error codes are {sorted(codes)}")


def check_endpoint(args):
    problems = Problems()
    checked = []
    notes = []
    base = args.base_url.rstrip("/")
    jur = args.jurisdiction

    services = check_resource(base, jur, "get_service_list", (), "service list", "services", "service_code",
                              problems, checked, notes)
    codes = [s.get("service_code") for s in services if isinstance(s, dict)] if isinstance(services, list) else []

    definition = None
    code = args.service_code
    if code is None and isinstance(services, list):
        code = next((s.get("service_code") for s in services if isinstance(s, dict) and s.get("metadata") is True), None)
        if code is None:
            notes.append("no service has metadata true: no service definition checked")
    elif code is not None and isinstance(services, list) and code not in codes:
        problems.add("service definition", f"--service-code {code!r} is not in the service list")
    if code is not None:
        definition = check_resource(base, jur, "get_service_definition", (code,), f"service definition {code}",
                                    "service-definition", None, problems, checked, notes)
        if isinstance(definition, dict) and definition.get("service_code") not in (None, code):
            problems.add(f"service definition {code} (json)", f"service_code is {definition.get('service_code')!r}")
        if isinstance(services, list):
            service = next((s for s in services if isinstance(s, dict) and s.get("service_code") == code), None)
            if service is not None and service.get("metadata") is not True:
                notes.append(f"service {code!r} has metadata {service.get('metadata')!r} but was asked for its definition")

    request_list = check_resource(base, jur, "get_service_requests", (), "request list", "requests",
                                  "service_request_id", problems, checked, notes)

    one = None
    rid = args.request_id
    if rid is None and isinstance(request_list, list):
        rid = next((r.get("service_request_id") for r in request_list if isinstance(r, dict)), None)
        if rid is None:
            notes.append("the request list is empty: no single request checked")
    if rid is not None:
        one = check_resource(base, jur, "get_service_request", (rid,), f"request {rid}", "requests",
                             "service_request_id", problems, checked, notes)
        if isinstance(one, list) and one and isinstance(one[0], dict):
            got = one[0].get("service_request_id")
            if got != rid:
                problems.add(f"request {rid} (json)", f"service_request_id is {got!r}")
            listed = next((r for r in (request_list or []) if isinstance(r, dict) and r.get("service_request_id") == rid), None)
            if listed is not None:
                for d in differences(normalized(listed), normalized(one[0])):
                    problems.add(f"request {rid} (json)", f"differs from its item in the request list: {d}")

    errors_checked = 0
    if args.check_errors:
        unknown = "no-such-" + uuid.uuid4().hex[:12]
        before = len(checked)
        check_error(base, jur, "get_service_definition", (unknown,), 404, "unknown service code", problems, checked)
        check_error(base, jur, "get_service_request", (unknown,), 404, "unknown request id", problems, checked)
        if jur:
            check_error(base, unknown, "get_service_list", (), 4, "unknown jurisdiction", problems, checked)
        errors_checked = len(checked) - before

    if problems:
        problems.fail()
    summary = {
        "base_url": base,
        "jurisdiction_id": jur,
        "checked": checked,
        "services": len(services) if isinstance(services, list) else None,
        "service_codes": codes,
        "service_definition": {"service_code": code, "attributes": len(definition.get("attributes") or [])}
        if isinstance(definition, dict) else None,
        "requests": len(request_list) if isinstance(request_list, list) else None,
        "request": {"service_request_id": rid} if one is not None else None,
        "errors_checked": errors_checked,
        "notes": notes,
    }
    sys.stdout.reconfigure(encoding="utf-8")
    json.dump(summary, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


# ---------------------------------------------------------------------------------------------
# The document mode


def check_document(kind, path):
    problems = Problems()
    if kind not in XML_KINDS:
        problems.add("", f"unknown kind {kind!r}; one of {', '.join(XML_KINDS)}")
        problems.fail()
    body = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    where = f"{kind} document"
    start = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if start == b"<":
        fmt = "xml"
        _, doc = read_xml(body, kind, where, problems)
    else:
        fmt = "json"
        doc = None
        try:
            doc = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            problems.add(where, f"neither XML nor JSON: {e}")
    if doc is not None:
        validate(doc, XML_KINDS[kind][2], f"{where} ({fmt})", problems)
    if problems:
        problems.fail()
    sys.stdout.reconfigure(encoding="utf-8")
    out = {"kind": kind, "format": fmt, "items": len(doc) if isinstance(doc, list) else None, "document": doc}
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


def main(argv):
    import argparse

    global TIMEOUT

    parser = argparse.ArgumentParser(prog="check_open311.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("base_url", nargs="?", help="the endpoint's root, e.g. http://127.0.0.1:8080/open311/v2")
    parser.add_argument("--jurisdiction", help="sent as jurisdiction_id")
    parser.add_argument("--service-code", help="the service whose definition to check")
    parser.add_argument("--request-id", help="the request to fetch alone")
    parser.add_argument("--check-errors", action="store_true", help="check the 404/4xx error answers too")
    parser.add_argument("--timeout", type=float, default=TIMEOUT, help="seconds per HTTP request")
    parser.add_argument("--document", metavar="KIND", help=f"check the body in FILE as KIND ({', '.join(XML_KINDS)})")
    parser.add_argument("file", nargs="?", help="with --document: the body (- for stdin)")
    args = parser.parse_args(argv[1:])
    if args.document:
        path = args.file or args.base_url or "-"
        if args.file and args.base_url:
            parser.error("--document takes one FILE")
        check_document(args.document, path)
        return
    if not args.base_url or args.file:
        parser.error("give BASE_URL (or --document KIND FILE)")
    TIMEOUT = args.timeout
    check_endpoint(args)


if __name__ == "__main__":
    main(sys.argv)
