#!/usr/bin/env python3
"""The xml format of sdc-convert against lxml, the reference.

Prints TAP; exits 1 when any test failed.  Reading: for each document,
the records sdc-convert makes equal those built from lxml's iterparse
with the same mapping (man/sdc-convert.1, "XML").  Writing: what
sdc-convert writes, lxml parses, and the records built from lxml's tree
are those written, for hand-made and random records full of characters
to escape.  Needs lxml: run with the virtual environment's python
($SDC_SPARK_PYTHON), which this script switches to when lxml is not in
the one running it.
"""

import io
import json
import os
import random
import subprocess
import sys

try:
    from lxml import etree
except ImportError:
    other = os.environ.get("SDC_SPARK_PYTHON")
    if other and os.path.realpath(other) != os.path.realpath(sys.executable) \
            and not os.environ.get("SDC_XML_REEXEC"):
        os.environ["SDC_XML_REEXEC"] = "1"
        os.execv(other, [other] + sys.argv)
    print("1..0 # SKIP lxml is not installed (scripts/bootstrap installs it)")
    sys.exit(0)

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.environ.get("top_srcdir") or os.path.join(HERE, "..", "..")
BUILD = os.environ.get("top_builddir") or TOP
CONVERT = os.path.join(BUILD, "sdc-convert")
DATA = os.path.join(TOP, "tests", "cli", "data")
WS = " \t\n\r"

results = []


def ok(cond, desc, *detail):
    results.append((bool(cond), desc, detail))


def convert(args, data):
    p = subprocess.run([CONVERT] + args, input=data, capture_output=True)
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")


def our_records(data, args=()):
    rc, out, err = convert(["--from", "xml", "--to", "json"] + list(args),
                           data)
    return rc, [json.loads(line) for line in out.decode().splitlines()], err


# The mapping, built from lxml's elements.
def qname(el, tag):
    q = etree.QName(tag)
    if q.namespace is None:
        return q.localname
    if q.namespace == "http://www.w3.org/XML/1998/namespace":
        return "xml:" + q.localname
    prefixes = [p for p, u in el.nsmap.items() if u == q.namespace and p]
    if tag is el.tag or tag == el.tag:
        return (el.prefix + ":" if el.prefix else "") + q.localname
    return prefixes[0] + ":" + q.localname


def ns_fields(el, inherit):
    parent = el.getparent()
    inherited = {} if inherit or parent is None else parent.nsmap
    out = {}
    for p, u in el.nsmap.items():
        if inherited.get(p) != u:
            out["@xmlns" if p is None else "@xmlns:" + p] = u
    return out


def value(el, record=False, inherit=False):
    """record: always a map; inherit: declaring inherited namespaces."""
    fields = ns_fields(el, inherit or record)
    for k, v in el.attrib.items():
        fields["@" + qname(el, k)] = v
    children = [c for c in el if isinstance(c.tag, str)]
    text = (el.text or "") + "".join(c.tail or "" for c in el)
    if not record and not fields and not children:
        return text
    for c in children:
        name = qname(c, c.tag)
        v = value(c)
        if name not in fields:
            fields[name] = v
        elif isinstance(fields[name], list):
            fields[name].append(v)
        else:
            fields[name] = [fields[name], v]
    if (text.strip(WS) != "") if children else text != "":
        fields["#text"] = text
    return fields


def lxml_records(data, path=None, name=None, preserve=False):
    """Records as iterparse streams them, each element cleared after."""
    recs = []
    depth = 0
    inside = None
    stack = []
    for event, el in etree.iterparse(io.BytesIO(data),
                                     events=("start", "end"),
                                     resolve_entities=True, no_network=True,
                                     load_dtd=False, remove_comments=False):
        if event == "start":
            stack.append(el)
            if inside is None:
                local = etree.QName(el).localname
                if name is not None:
                    hit = qname(el, el.tag) == name or local == name
                elif path is not None:
                    hit = len(stack) == len(path) and all(
                        s == "*" or etree.QName(e).localname == s
                        for s, e in zip(path, stack))
                else:
                    hit = len(stack) == 2
                if hit:
                    inside = el
            depth += 1
            continue
        depth -= 1
        stack.pop()
        if el is inside:
            v = value(el, record=not preserve, inherit=True)
            recs.append({qname(el, el.tag): v} if preserve else v)
            inside = None
            el.clear()
    return recs


def compare_reading(label, data, args=(), **kw):
    rc, ours, err = our_records(data, args)
    want = lxml_records(data, **kw)
    ok(rc == 0 and ours == want, "read " + label,
       "ours: %r" % ours[:3], "lxml: %r" % want[:3], err)


# Random documents and records.
NAME_START = "abcxyzABCXYZ_é中"
NAME_CHARS = NAME_START + "0189.-·"
TEXT = "abc XYZ 019 <>&\"'] ]]> \t\n\r é€😀中"


def rand_name(rng):
    return rng.choice(NAME_START) + "".join(
        rng.choice(NAME_CHARS) for _ in range(rng.randrange(0, 6)))


def rand_text(rng, nonblank=False):
    s = "".join(rng.choice(TEXT) for _ in range(rng.randrange(0, 12)))
    return s + "x" if nonblank and s.strip(WS) == "" else s


def rand_element(rng, depth):
    """A field in the reader's canonical form."""
    if depth > 3 or rng.random() < 0.4:
        return rand_text(rng)
    m = rand_map(rng, depth)
    if list(m) in ([], ["#text"]):
        m["@" + rand_name(rng)] = rand_text(rng)
    return m


def rand_map(rng, depth, record=False):
    m = {}
    for _ in range(rng.randrange(0, 3)):
        m["@" + rand_name(rng)] = rand_text(rng)
    children = 0
    for _ in range(rng.randrange(0, 4)):
        name = rand_name(rng)
        if "@" + name in m or name in m:
            continue
        children += 1
        if rng.random() < 0.3:
            m[name] = [rand_element(rng, depth + 1)
                       for _ in range(rng.randrange(2, 4))]
        else:
            m[name] = rand_element(rng, depth + 1)
    if rng.random() < 0.5:
        text = rand_text(rng, nonblank=children > 0)
        if text:
            m["#text"] = text
    return m


def to_lxml(parent, name, v):
    el = etree.SubElement(parent, name)
    if isinstance(v, str):
        el.text = v
        return
    for k, x in v.items():
        if k.startswith("@"):
            el.set(k[1:], x)
    text = v.get("#text", "")
    el.text = text
    for k, x in v.items():
        if k.startswith("@") or k == "#text":
            continue
        for item in x if isinstance(x, list) else [x]:
            to_lxml(el, k, item)


def check_random_documents(rng):
    for i in range(20):
        root = etree.Element("root")
        for _ in range(rng.randrange(1, 6)):
            to_lxml(root, rand_name(rng), rand_map(rng, 0, record=True))
        data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
        compare_reading("random document %d" % i, data)


def check_writing_random(rng):
    records = [rand_map(rng, 0, record=True) for _ in range(200)]
    ndjson = "".join(json.dumps(r, ensure_ascii=False) + "\n"
                     for r in records).encode()
    rc, xml, err = convert(["--from", "json", "--to", "xml"], ndjson)
    try:
        back = lxml_records(xml)
    except etree.XMLSyntaxError as e:
        back = ["lxml: %s" % e]
    ok(rc == 0 and back == records,
       "200 random records written: lxml reads them back as written",
       err, *["%r\n   != %r" % (a, b) for a, b in zip(back, records)
              if a != b][:2])
    rc2, ours, err = our_records(xml)
    ok(rc2 == 0 and ours == records,
       "200 random records written: sdc-convert reads them back", err)


def check_writing_by_hand():
    ndjson = (b'{"@id":7,"n":1.5,"ok":true,"no":null,'
              b'"tags":["a","b"],"q":{"@v":"\\"<&>\\t\\n\\r","#text":"]]>"}}\n'
              b'{"#text":"line\\r\\nnext"}\n'
              b'{"@xmlns:g":"urn:g","g:p":{"@g:cur":"EUR","#text":"1"}}\n')
    want = [{"@id": "7", "n": "1.5", "ok": "true", "no": "",
             "tags": ["a", "b"], "q": {"@v": "\"<&>\t\n\r", "#text": "]]>"}},
            {"#text": "line\r\nnext"},
            {"@xmlns:g": "urn:g", "g:p": {"@g:cur": "EUR", "#text": "1"}}]
    rc, xml, err = convert(["--from", "json", "--to", "xml",
                            "--xml-root", "out", "--xml-record", "rec"],
                           ndjson)
    root = etree.fromstring(xml)
    got = [value(el, record=True) for el in root]
    ok(rc == 0 and root.tag == "out" and [e.tag for e in root] ==
       ["rec", "rec", "rec"] and got == want,
       "typed values, null, lists, escapes and namespaces written as lxml "
       "reads them",
       "got:  %r" % got, "want: %r" % want, err)


def check_round_trip_files():
    for f in ["xml-catalog.xml", "xml-content.xml", "xml-ns.xml",
              "xml-deep.xml"]:
        data = open(os.path.join(DATA, f), "rb").read()
        rc, xml, err = convert(["--from", "xml", "--to", "xml"], data)
        try:
            back = lxml_records(xml)
        except etree.XMLSyntaxError as e:
            back = ["lxml: %s" % e]
        ok(rc == 0 and back == lxml_records(data),
           "%s written back: lxml makes the same records of both" % f, err)


def main():
    rng = random.Random(20261201)
    for f in ["xml-catalog.xml", "xml-content.xml", "xml-ns.xml",
              "xml-deep.xml"]:
        data = open(os.path.join(DATA, f), "rb").read()
        compare_reading(f, data)
        compare_reading(f + " --xml-preserve-root", data,
                        ["--xml-preserve-root"], preserve=True)
    deep = open(os.path.join(DATA, "xml-deep.xml"), "rb").read()
    compare_reading("xml-deep.xml --xml-record book", deep,
                    ["--xml-record", "book"], name="book")
    compare_reading("xml-deep.xml --xml-record /shop/shelf/book", deep,
                    ["--xml-record", "/shop/shelf/book"],
                    path=["shop", "shelf", "book"])
    cat = open(os.path.join(DATA, "xml-catalog.xml"), "rb").read()
    compare_reading("xml-catalog.xml --xml-record /*/book", cat,
                    ["--xml-record", "/*/book"], path=["*", "book"])
    check_random_documents(rng)
    check_writing_by_hand()
    check_writing_random(rng)
    check_round_trip_files()
    print("1..%d" % len(results))
    failed = 0
    for i, (good, desc, detail) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if good else "not ok", i, desc))
        if not good:
            failed += 1
            for d in detail:
                for line in str(d).splitlines():
                    print("# " + line)
    print("# %d passed, %d failed" % (len(results) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
