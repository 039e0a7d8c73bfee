#!/usr/bin/env python3
"""Reference evaluator ("oracle") for Tripline's two seed rules.

Independent of the Swift engine on purpose: it is the source of truth for
generated corpora (scripts/gen-corpus imports it) and for samples/*.expected.json.

    scripts/oracle.py [--index DEFAULT] FILE...      (FILE may be '-' for stdin)

prints  {"lines": N, "rejected": [...], "alerts": {"<rule_id>": [...], ...}}

Semantics (mirroring Elasticsearch; see scripts/test_oracle.py for pinned cases):

* One event per line.  Lines containing only spaces / CR are blank: skipped and
  not counted.  Line numbers are 1-based physical line numbers, continuing across
  FILEs as if they were concatenated (each FILE starts on a new line).
* A line is rejected (and never alerts) if it is not valid UTF-8, not strict
  RFC 8259 JSON (NaN/Infinity, trailing data, ... all rejected), has a duplicate
  key inside one object (compared after unescaping), or is not a JSON object.
* Field lookup flattens the document: nested objects and dotted keys are
  equivalent, arrays (also of objects, also nested) make a field multi-valued,
  null and [] mean absent.  Numbers and booleans are kept as their JSON text.
* Index: top-level "_index" string, else data_stream.type-dataset-namespace when
  all three are single string values, else the --index default, else none.
"""

import argparse
import json
import re
import sys

ESQL_RULE_ID = "696015ef-718e-40ff-ac4a-cc2ba88dbeeb"  # AWS IAM User Created Access Keys For Another User
EQL_RULE_ID = "d0b0f3ed-0b37-44bf-adee-e8cb7de92767"   # AWS Credentials Searched For Inside A Container
RULE_IDS = (ESQL_RULE_ID, EQL_RULE_ID)

ESQL_INDEX_PATTERNS = ("logs-aws.cloudtrail-*",)
EQL_INDEX_PATTERNS = ("logs-cloud_defend*",)


# --------------------------------------------------------------------------
# Strict parsing
# --------------------------------------------------------------------------

class JText(str):
    """A number or boolean, kept as its JSON text.  A str subclass so that it
    compares equal to the same text given as a JSON string (keyword semantics),
    while index routing can still tell it is not a real JSON string."""
    __slots__ = ()


_TRUE = JText("true")
_FALSE = JText("false")


def _object_pairs(pairs):
    d = dict(pairs)
    if len(d) != len(pairs):
        # Elasticsearch parses with STRICT_DUPLICATE_DETECTION.
        raise ValueError("duplicate key")
    return d


def _reject_constant(name):
    raise ValueError("non-standard constant " + name)  # NaN, Infinity, -Infinity


_DECODER = json.JSONDecoder(
    object_pairs_hook=_object_pairs,
    parse_int=JText,
    parse_float=JText,      # keep "1.0" as written, never round-trip through float
    parse_constant=_reject_constant,
    strict=True,            # raw control characters inside strings are invalid
)


def parse_line(raw):
    """Return the document (dict) for one line given as bytes, or None if the line
    must be rejected.  The caller handles blank lines."""
    try:
        text = raw.decode("utf-8")  # strict: rejects 0xff, overlongs, encoded surrogates
    except UnicodeDecodeError:
        return None
    try:
        doc = _DECODER.decode(text)  # whitespace allowed around the value is [ \t\n\r] only
    except (ValueError, RecursionError):
        return None
    if type(doc) is not dict:
        return None
    return doc


def is_blank(raw):
    return not raw.strip(b" \r")


# --------------------------------------------------------------------------
# Field lookup
# --------------------------------------------------------------------------

def _leaf(v, out):
    t = type(v)
    if t is str or t is JText:
        out.append(v)
    elif t is list:
        for e in v:
            _leaf(e, out)
    elif v is True:
        out.append(_TRUE)
    elif v is False:
        out.append(_FALSE)
    # None -> absent; dict -> an object at this path, it has no value of its own


def _collect(obj, path, out):
    """Append every value of dotted `path` found under dict `obj`.  Keys may
    themselves be dotted, so a key matches either the whole remaining path or a
    prefix of it that ends at a dot."""
    plen = len(path)
    for k, v in obj.items():
        klen = len(k)
        if klen == plen:
            if k == path:
                _leaf(v, out)
        elif klen < plen and path[klen] == "." and path.startswith(k):
            _descend(v, path[klen + 1:], out)


def _descend(v, rest, out):
    t = type(v)
    if t is dict:
        _collect(v, rest, out)
    elif t is list:  # arrays of objects (and nested arrays) flatten
        for e in v:
            _descend(e, rest, out)


def values(doc, path):
    """All values of a field, in document order; [] when absent."""
    out = []
    _collect(doc, path, out)
    return out


def event_index(doc, default=None):
    idx = doc.get("_index")
    if type(idx) is str:
        return idx
    parts = []
    for f in ("data_stream.type", "data_stream.dataset", "data_stream.namespace"):
        vs = values(doc, f)
        if len(vs) != 1 or type(vs[0]) is not str:
            return default
        parts.append(vs[0])
    return "-".join(parts)


def _index_regex(patterns):
    # '*' is the only wildcard; everything else, including '?', is literal. Case-sensitive.
    alts = ("".join(".*" if c == "*" else re.escape(c) for c in p) for p in patterns)
    return re.compile("(?s)(?:" + "|".join(alts) + ")")


_ESQL_INDEX = _index_regex(ESQL_INDEX_PATTERNS)
_EQL_INDEX = _index_regex(EQL_INDEX_PATTERNS)


# --------------------------------------------------------------------------
# ES|QL rule 696015ef-718e-40ff-ac4a-cc2ba88dbeeb
#
#   from logs-aws.cloudtrail-*
#   | where data_stream.dataset == "aws.cloudtrail" and event.provider == "iam.amazonaws.com"
#       and event.action == "CreateAccessKey" and event.outcome == "success"
#       and user.name != user.target.name
# --------------------------------------------------------------------------

_ESQL_EQUALS = (
    ("data_stream.dataset", "aws.cloudtrail"),
    ("event.provider", "iam.amazonaws.com"),
    ("event.action", "CreateAccessKey"),
    ("event.outcome", "success"),
)


def _single(doc, path):
    """ES|QL value of a field: None (null) when absent or multi-valued, because
    comparisons on multi-valued fields evaluate to null and drop the row."""
    vs = values(doc, path)
    return vs[0] if len(vs) == 1 else None


def esql_match(doc, index):
    if index is None or not _ESQL_INDEX.fullmatch(index):
        return False
    for path, want in _ESQL_EQUALS:
        if _single(doc, path) != want:  # None != want covers null
            return False
    a = _single(doc, "user.name")
    b = _single(doc, "user.target.name")
    return a is not None and b is not None and a != b


# --------------------------------------------------------------------------
# EQL rule d0b0f3ed-0b37-44bf-adee-e8cb7de92767, index logs-cloud_defend*
#
#   process where event.module == "cloud_defend" and event.type == "start" and
#   (process.name : (TOOLS) or process.args : (TOOLS)) and process.args : (CREDS)
# --------------------------------------------------------------------------

EQL_TOOLS = ("grep", "egrep", "fgrep", "find", "locate", "mlocate")
EQL_CREDS = ("*aws_access_key_id*", "*aws_secret_access_key*", "*aws_session_token*",
             "*accesskeyid*", "*secretaccesskey*", "*access_key*", "*.aws/credentials*")


def _ci_char(c):
    # Elasticsearch's AutomatonQueries.toCaseInsensitiveChar (used by case-insensitive
    # term and wildcard queries on keyword fields): a pattern code point matches itself
    # or its other case, and only code points <= 128 get another case.  Deliberately
    # not Python's re.IGNORECASE or str.lower(), which would, e.g., let the Kelvin sign
    # U+212A in a value match the 'k' of a pattern.
    if ord(c) > 128:
        return re.escape(c)
    alt = c.upper() if c.islower() else c.lower()
    if alt == c:
        return re.escape(c)
    return "[" + re.escape(c) + re.escape(alt) + "]"


def _ci_pattern_regex(patterns):
    alts = ("".join(".*" if c == "*" else _ci_char(c) for c in p) for p in patterns)
    return re.compile("(?s)(?:" + "|".join(alts) + ")")


_TOOLS_RE = _ci_pattern_regex(EQL_TOOLS)
_CREDS_RE = _ci_pattern_regex(EQL_CREDS)


def _any_ci(vs, rx):
    fm = rx.fullmatch
    for v in vs:
        if fm(v):
            return True
    return False


def eql_match(doc, index):
    if index is None or not _EQL_INDEX.fullmatch(index):
        return False
    # '==' in EQL is a case-sensitive term match: true if ANY value equals.
    if "process" not in values(doc, "event.category"):
        return False
    if "cloud_defend" not in values(doc, "event.module"):
        return False
    if "start" not in values(doc, "event.type"):
        return False
    args = values(doc, "process.args")
    if not _any_ci(args, _CREDS_RE):
        return False
    return _any_ci(values(doc, "process.name"), _TOOLS_RE) or _any_ci(args, _TOOLS_RE)


# --------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------

BLANK = "blank"
REJECTED = "rejected"


def evaluate_doc(doc, default_index=None):
    """Rule ids (in RULE_IDS order) whose query matches a parsed document."""
    index = event_index(doc, default_index)
    if index is None:
        return []
    hits = []
    if esql_match(doc, index):
        hits.append(ESQL_RULE_ID)
    if eql_match(doc, index):
        hits.append(EQL_RULE_ID)
    return hits


def evaluate_line(raw, default_index=None):
    """BLANK, REJECTED, or the list of matching rule ids for one line (bytes,
    without its terminating LF)."""
    if is_blank(raw):
        return BLANK
    doc = parse_line(raw)
    if doc is None:
        return REJECTED
    return evaluate_doc(doc, default_index)


class Truth:
    """Accumulates the expected result of a stream of lines."""

    def __init__(self, default_index=None):
        self.default_index = default_index
        self.lines = 0
        self.rejected = []
        self.alerts = {rid: [] for rid in RULE_IDS}

    def add(self, lineno, raw):
        r = evaluate_line(raw, self.default_index)
        if r is BLANK:
            return r
        self.lines += 1
        if r is REJECTED:
            self.rejected.append(lineno)
        else:
            for rid in r:
                self.alerts[rid].append(lineno)
        return r

    def as_dict(self):
        return {"lines": self.lines, "rejected": self.rejected, "alerts": self.alerts}

    def to_json(self):
        # Stable, diff-friendly layout: one key per line, arrays kept on one line.
        d = lambda v: json.dumps(v, separators=(",", ":"))
        rules = ",\n".join("    %s: %s" % (d(rid), d(self.alerts[rid])) for rid in self.alerts)
        return ('{\n  "lines": %d,\n  "rejected": %s,\n  "alerts": {\n%s\n  }\n}\n'
                % (self.lines, d(self.rejected), rules))


def iter_lines(stream):
    """Yield lines of a binary stream without the LF (a final unterminated line included)."""
    for line in stream:
        yield line[:-1] if line.endswith(b"\n") else line


def main(argv=None):
    ap = argparse.ArgumentParser(description="Reference evaluator for Tripline's seed rules.")
    ap.add_argument("--index", default=None,
                    help="index assumed for events with neither _index nor data_stream.*")
    ap.add_argument("files", nargs="+", metavar="FILE")
    args = ap.parse_args(argv)
    truth = Truth(args.index)
    lineno = 0
    for name in args.files:
        f = sys.stdin.buffer if name == "-" else open(name, "rb")
        try:
            for raw in iter_lines(f):
                lineno += 1
                truth.add(lineno, raw)
        finally:
            if f is not sys.stdin.buffer:
                f.close()
    sys.stdout.write(truth.to_json())
    return 0


if __name__ == "__main__":
    sys.exit(main())
