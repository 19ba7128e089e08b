#!/usr/bin/env python3
"""The lxml job that scripts/bench-convert compares sdc-convert --from xml
with: the document streamed with lxml.etree.iterparse, each child of the
root made a dict as sdc-convert makes a record of it (attributes "@name",
child elements by name, a list when one comes again, text "#text") and
cleared with the elements before it, so that memory holds one record.
Prints the records made.

Usage: bench-xml-peer.py FILE
"""
import sys

from lxml import etree

WS = " \t\n\r"


def value(el, record=False):
    fields = {"@" + k: v for k, v in el.attrib.items()}
    children = len(el)
    text = el.text or ""
    if not record and not fields and not children:
        return text
    for c in el:
        v = value(c)
        old = fields.get(c.tag)
        if old is None:
            fields[c.tag] = v
        elif isinstance(old, list):
            old.append(v)
        else:
            fields[c.tag] = [old, v]
        text += c.tail or ""
    if (text.strip(WS) != "") if children else text != "":
        fields["#text"] = text
    return fields


def main():
    records = 0
    depth = 0
    for event, el in etree.iterparse(sys.argv[1], events=("start", "end"),
                                     no_network=True, load_dtd=False,
                                     resolve_entities=False):
        if event == "start":
            depth += 1
            continue
        depth -= 1
        if depth == 1:
            value(el, record=True)
            records += 1
            el.clear()
            while el.getprevious() is not None:
                del el.getparent()[0]
    print(records)


if __name__ == "__main__":
    main()
