"""The Python side of sdc-tools: the record stream of sdc-record(5)."""
