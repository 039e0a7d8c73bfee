#!/usr/bin/env python3
"""Self-check for scripts/oracle.py (no pytest needed):  python3 scripts/test_oracle.py

Each case pins one semantic the Swift engine must share with the oracle.  Exits
non-zero and lists the failing cases if any expectation is not met.
"""

import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.realpath(__file__))
sys.dont_write_bytecode = True  # keep scripts/ free of __pycache__
sys.path.insert(0, HERE)
import oracle  # noqa: E402

ESQL = oracle.ESQL_RULE_ID
EQL = oracle.EQL_RULE_ID
REJ = "rejected"
BLANK = "blank"
NONE = ()

failures = []


def check(name, line, expected, index=None):
    raw = line if isinstance(line, bytes) else line.encode("utf-8")
    got = oracle.evaluate_line(raw, index)
    if got is oracle.BLANK:
        got = BLANK
    elif got is oracle.REJECTED:
        got = REJ
    else:
        got = tuple(got)
    want = expected if isinstance(expected, str) else tuple(expected)
    if got != want:
        failures.append("%s: expected %r, got %r\n    line: %r" % (name, want, got, raw[:200]))


def j(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


# ---------------------------------------------------------------------------
# Fixtures: minimal documents that fire each rule
# ---------------------------------------------------------------------------

def ct(**over):
    """A CreateAccessKey event for another user (fires the ES|QL rule), nested form."""
    d = {"@timestamp": "2024-06-01T00:00:00.000Z",
         "data_stream": {"type": "logs", "dataset": "aws.cloudtrail", "namespace": "default"},
         "event": {"provider": "iam.amazonaws.com", "action": "CreateAccessKey", "outcome": "success"},
         "user": {"name": "Alice", "target": {"name": "Bob"}}}
    for path, v in over.items():
        _put(d, path.replace("__", "."), v)
    return d


def cd(**over):
    """A cloud_defend grep for AWS keys (fires the EQL rule), nested form."""
    d = {"@timestamp": "2024-06-01T00:00:00.000Z",
         "data_stream": {"type": "logs", "dataset": "cloud_defend.process", "namespace": "default"},
         "event": {"module": "cloud_defend", "category": ["process"], "type": ["start"], "action": "exec"},
         "process": {"name": "grep", "executable": "/bin/grep",
                     "args": ["grep", "aws_access_key_id", "/root/.aws/credentials"]}}
    for path, v in over.items():
        _put(d, path.replace("__", "."), v)
    return d


_DEL = object()


def _put(d, path, v):
    ks = path.split(".")
    for k in ks[:-1]:
        d = d.setdefault(k, {})
    if v is _DEL:
        d.pop(ks[-1], None)
    else:
        d[ks[-1]] = v


# ---------------------------------------------------------------------------
# Line validity
# ---------------------------------------------------------------------------

check("empty object is a valid event", "{}", NONE)
check("blank: empty", "", BLANK)
check("blank: spaces", "    ", BLANK)
check("blank: CR (CRLF file)", "\r", BLANK)
check("blank: spaces and CR", "  \r", BLANK)
check("CRLF: trailing CR after object is JSON whitespace", j(ct()) + "\r", [ESQL])
check("surrounding JSON whitespace is fine", " \t" + j(ct()) + " \t ", [ESQL])
check("duplicate key", '{"a":1,"a":2}', REJ)
check("duplicate key in nested object", '{"a":{"b":1,"b":1}}', REJ)
check("duplicate key inside array element", '{"a":[{"b":1,"b":2}]}', REJ)
check("duplicate key after unescaping", '{"a":1,"\\u0061":2}', REJ)
check("duplicate key spoils a hit", j(ct())[:-1] + ',"user":{"name":"Alice"}}', REJ)
check("dotted key next to nested object is NOT a duplicate",
      '{"a.b":1,"a":{"b":2}}', NONE)
check("invalid UTF-8 byte 0xff in a string", b'{"a":"x\xffy"}', REJ)
check("invalid UTF-8 0xff spoils a hit", j(ct()).encode().replace(b'"Bob"', b'"Bo\xffb"'), REJ)
check("overlong UTF-8", b'{"a":"\xc0\xaf"}', REJ)
check("UTF-8-encoded surrogate (CESU)", b'{"a":"\xed\xa0\x80"}', REJ)
check("valid multi-byte UTF-8", '{"a":"Östergötland 🚀"}', NONE)
check("NaN", '{"a":NaN}', REJ)
check("Infinity", '{"a":Infinity}', REJ)
check("-Infinity", '{"a":-Infinity}', REJ)
check("truncated object", j(ct())[:-1], REJ)
check("truncated mid-string", '{"a":"CreateAcc', REJ)
check("trailing garbage", j(ct()) + " x", REJ)
check("trailing brace", j(ct()) + "}", REJ)
check("two objects on one line", "{}{}", REJ)
check("bare number line", "42", REJ)
check("bare string line", '"CreateAccessKey"', REJ)
check("top-level array", "[" + j(ct()) + "]", REJ)
check("top-level null", "null", REJ)
check("single quotes", "{'a':1}", REJ)
check("trailing comma", '{"a":1,}', REJ)
check("leading zero", '{"a":01}', REJ)
check("leading plus", '{"a":+1}', REJ)
check("raw control char in string", '{"a":"x\ty"}', REJ)
check("invalid escape", '{"a":"\\x41"}', REJ)
check("short \\u escape", '{"a":"\\u41"}', REJ)
check("comment", '{"a":1 /* c */}', REJ)
check("unquoted key", '{a:1}', REJ)
check("UTF-8 BOM before the object", b"\xef\xbb\xbf{}", REJ)

# ---------------------------------------------------------------------------
# Unescaping: values and keys are compared after JSON unescaping
# ---------------------------------------------------------------------------

check("\\u0041 in a value", j(ct()).replace("CreateAccessKey", "Create\\u0041ccessKey"), [ESQL])
check("\\u escapes with upper-case hex", j(ct()).replace("CreateAccessKey", "\\u0043reate\\u0041\\u0063\\u0063essKey"), [ESQL])
check("\\u escape of a different letter is a different value",
      j(ct()).replace("CreateAccessKey", "Create\\u0042ccessKey"), NONE)
check("\\u escape in a key", j(ct()).replace('"provider"', '"pro\\u0076ider"'), [ESQL])
check("\\u002e in a key makes it dotted",
      j(ct(event__action=_DEL)).replace('"event":{', '"event\\u002eaction":"CreateAccessKey","event":{'), [ESQL])
check("\\/ in a value", j(cd(process__args=["grep", "key", "~\\/.aws\\/credentials"])).replace("\\\\/", "\\/"), [EQL])
check("surrogate pair equals the astral character",
      j(ct(user__name="\U0001F680", user__target__name="\U0001F680")).replace("\U0001F680", "\\ud83d\\ude80", 1), NONE)
check("surrogate pair vs other astral character",
      j(ct(user__name="\U0001F680", user__target__name="\U0001F681")).replace("\U0001F680", "\\ud83d\\ude80", 1), [ESQL])
check("escaped and raw forms of the same name are equal",
      j(ct(user__name="Bob")).replace('"name":"Bob"', '"name":"\\u0042ob"', 1), NONE)

# ---------------------------------------------------------------------------
# Field lookup: dotted == nested, arrays flatten, null/[] absent
# ---------------------------------------------------------------------------

dotted = {"data_stream.type": "logs", "data_stream.dataset": "aws.cloudtrail", "data_stream.namespace": "default",
          "event.provider": "iam.amazonaws.com", "event.action": "CreateAccessKey", "event.outcome": "success",
          "user.name": "Alice", "user.target.name": "Bob"}
check("fully dotted keys", j(dotted), [ESQL])
check("mixed: {\"user\": {\"target.name\": ...}}",
      j({**{k: v for k, v in dotted.items() if not k.startswith("user")}, "user": {"name": "Alice", "target.name": "Bob"}}), [ESQL])
check("mixed: {\"data_stream\": {...}, \"event.action\": ...}",
      j({"data_stream": ct()["data_stream"], "event.action": "CreateAccessKey",
         "event": {"provider": "iam.amazonaws.com", "outcome": "success"},
         "user.target": {"name": "Bob"}, "user": {"name": "Alice"}}), [ESQL])
check("dotted + nested contributions merge into a multi-valued field",
      j({**ct(), "user.target.name": "Carol"}), NONE)
check("key order is irrelevant", j(dict(reversed(list(ct().items())))), [ESQL])
check("user.target.name null is absent", j(ct(user__target__name=None)), NONE)
check("user.target.name [] is absent", j(ct(user__target__name=[])), NONE)
check("user.target {} is absent", j(ct(user__target={})), NONE)
check("array of objects flattens", j(cd(process=[{"name": "grep"}, {"args": ["grep", "aws_access_key_id"]}])), [EQL])
check("nested arrays flatten", j(cd(process__args=[["grep"], [["-r", "aws_access_key_id"]]])), [EQL])
check("nulls inside arrays are skipped", j(ct(user__target__name=[None, "Bob", None])), [ESQL])
check("object at a leaf path has no value", j(ct(user__target__name={"first": "Bob"})), NONE)

# ---------------------------------------------------------------------------
# Index routing
# ---------------------------------------------------------------------------

check("explicit _index wins over data_stream (other index)", j(ct(_index="logs-other-default")), NONE)
check("explicit _index wins over data_stream (matching index)", j(ct(_index="logs-aws.cloudtrail-prod")), [ESQL])
check("escaped _index key is still _index", j(ct()).replace("{", '{"\\u005findex":"logs-other-default",', 1), NONE)
check("non-string _index falls back to data_stream", j(ct(_index=7)), [ESQL])
check("namespace other than default still matches logs-aws.cloudtrail-*", j(ct(data_stream__namespace="prod")), [ESQL])
check("index pattern is case-sensitive", j(ct(_index="Logs-aws.cloudtrail-default")), NONE)
check("index pattern needs the '-' after cloudtrail", j(ct(_index="logs-aws.cloudtrail")), NONE)
check("dataset routes elsewhere (and differs)", j(ct(data_stream__dataset="aws.cloudtrail_x")), NONE)
check("_index matches but dataset differs", j(ct(_index="logs-aws.cloudtrail-default", data_stream__dataset="aws.guardduty")), NONE)
check("no routing, no default: no index", j(cd(data_stream=_DEL)), NONE)
check("no routing, --index default used", j(cd(data_stream=_DEL)), [EQL], index="logs-cloud_defend.process-default")
check("no routing, non-matching default", j(cd(data_stream=_DEL)), NONE, index="logs-other-default")
check("data_stream routing beats --index", j(cd()), [EQL], index="logs-other-default")
check("partial data_stream falls back to default", j(cd(data_stream__namespace=_DEL)), [EQL], index="logs-cloud_defend-x")
check("partial data_stream, no default", j(cd(data_stream__namespace=_DEL)), NONE)
check("multi-valued data_stream.dataset cannot route", j(cd(data_stream__dataset=["cloud_defend.process", "x"])), NONE)
check("one-element data_stream arrays route", j(cd(data_stream__type=["logs"])), [EQL])
check("numeric data_stream value cannot route", j(cd(data_stream__namespace=1)), NONE)
check("numeric data_stream value, default used", j(cd(data_stream__namespace=1)), [EQL], index="logs-cloud_defend")
check("'*' matches the empty string", j(cd(_index="logs-cloud_defend")), [EQL])
check("EQL index pattern is case-sensitive", j(cd(_index="logs-Cloud_Defend.process-default")), NONE)
check("cloud-defend (hyphen) is another index", j(cd(data_stream__dataset="cloud-defend.process")), NONE)

# ---------------------------------------------------------------------------
# ES|QL rule
# ---------------------------------------------------------------------------

check("ES|QL hit", j(ct()), [ESQL])
check("same user is not another user", j(ct(user__target__name="Alice")), NONE)
check("names differing only by case are different (== is case-sensitive)", j(ct(user__target__name="alice")), [ESQL])
check("missing user.target.name -> null -> no row", j(ct(user__target=_DEL)), NONE)
check("missing user.name -> null -> no row", j(ct(user__name=_DEL)), NONE)
check("user.target.name with 2 values -> null -> no row", j(ct(user__target__name=["Bob", "Carol"])), NONE)
check("user.target.name with 2 values incl. the caller -> no row", j(ct(user__target__name=["Bob", "Alice"])), NONE)
check("user.name with 2 values -> no row", j(ct(user__name=["Alice", "Eve"])), NONE)
check("user.target.name as a 1-element array is single-valued", j(ct(user__target__name=["Bob"])), [ESQL])
check("event.action with 2 values -> no row", j(ct(event__action=["CreateAccessKey", "CreateAccessKey2"])), NONE)
check("event.action 1-element array", j(ct(event__action=["CreateAccessKey"])), [ESQL])
check("CreateAccessKeyX", j(ct(event__action="CreateAccessKeyX")), NONE)
check("createaccesskey (case)", j(ct(event__action="createaccesskey")), NONE)
check("outcome Success (case)", j(ct(event__outcome="Success")), NONE)
check("outcome failure", j(ct(event__outcome="failure")), NONE)
check("outcome missing", j(ct(event__outcome=_DEL)), NONE)
check("provider different", j(ct(event__provider="sts.amazonaws.com")), NONE)
check("provider case", j(ct(event__provider="IAM.amazonaws.com")), NONE)
check("number compares as its JSON text (equal)", j(ct(user__name="1234", user__target__name=1234)), NONE)
check("number compares as its JSON text (different)", j(ct(user__name="1234", user__target__name=1235)), [ESQL])
check("number text is kept verbatim: 1.0 != 1", j(ct(user__name=1)).replace('"Bob"', "1.0"), [ESQL])
check("boolean compares as its JSON text", j(ct(user__name="true", user__target__name=True)), NONE)
check("empty-string target is a value", j(ct(user__target__name="")), [ESQL])
check("EQL-shaped doc does not fire ES|QL", j(cd()), [EQL])

# ---------------------------------------------------------------------------
# EQL rule
# ---------------------------------------------------------------------------

check("EQL hit", j(cd()), [EQL])
check("find -path *.aws/credentials*",
      j(cd(process__name="find", process__args=["find", "/", "-path", "*.aws/credentials*"])), [EQL])
check("find -name credentials has no credential pattern",
      j(cd(process__name="find", process__args=["find", "/", "-name", "credentials"])), NONE)
check("grep without credential args", j(cd(process__args=["grep", "-r", "password", "/etc"])), NONE)
check("sh -c with the whole command as ONE arg: no tool name matches",
      j(cd(process__name="sh", process__args=["sh", "-c", "grep aws_access_key_id ~/.aws/credentials"])), NONE)
check("tool name as its own args element",
      j(cd(process__name="sh", process__args=["sh", "-c", "grep", "aws_access_key_id"])), [EQL])
check("tool as a path in args is not the tool name",
      j(cd(process__name="sh", process__args=["sh", "/usr/bin/grep", "aws_access_key_id"])), NONE)
check("process.name GREP (case-insensitive ':')", j(cd(process__name="GREP")), [EQL])
check("args tool GrEp (case-insensitive ':')",
      j(cd(process__name="busybox", process__args=["busybox", "GrEp", "AWS_SECRET_ACCESS_KEY"])), [EQL])
check("*.AWS/Credentials mixed case", j(cd(process__args=["grep", "x", "/root/.AWS/Credentials"])), [EQL])
check("AccessKeyId matches *accesskeyid*", j(cd(process__args=["fgrep", "AccessKeyId"])), [EQL])
check("wildcard is whole-value: pattern may sit anywhere", j(cd(process__args=["grep", "my_access_key_file"])), [EQL])
check("tool list has no wildcards: grepx is not grep",
      j(cd(process__name="grepx", process__args=["grepx", "aws_access_key_id"])), NONE)
check("tool list has no wildcards: 'grep ' is not grep",
      j(cd(process__name="grep ", process__args=["grep ", "aws_access_key_id"])), NONE)
check("Kelvin sign is not 'k' (only ASCII case folding)",
      j(cd(process__args=["grep", "access_\u212aey"])), NONE)
check("hyphens are not underscores", j(cd(process__args=["grep", "aws-access-key-id"])), NONE)
check("event.type end", j(cd(event__type=["end"])), NONE)
check("event.type any value: [end, start]", j(cd(event__type=["end", "start"])), [EQL])
check("event.type as a plain string", j(cd(event__type="start")), [EQL])
check("event.type Start (== is case-sensitive)", j(cd(event__type=["Start"])), NONE)
check("event.module cloud_defend_x", j(cd(event__module="cloud_defend_x")), NONE)
check("event.module Cloud_Defend (== is case-sensitive)", j(cd(event__module="Cloud_Defend")), NONE)
check("event.module any value", j(cd(event__module=["x", "cloud_defend"])), [EQL])
check("event.category Process (case-sensitive)", j(cd(event__category=["Process"])), NONE)
check("event.category any value", j(cd(event__category=["file", "process"])), [EQL])
check("event.category missing", j(cd(event__category=_DEL)), NONE)
check("process.args missing", j(cd(process__args=_DEL)), NONE)
check("process.args null", j(cd(process__args=None)), NONE)
check("creds only in process.parent.args",
      j(cd(process__args=["grep", "-c", "x"], process__parent={"args": ["sh", "-c", "grep aws_access_key_id"]})), NONE)
check("tool only in process.parent.name",
      j(cd(process__name="cat", process__args=["cat", "/root/.aws/credentials"], process__parent={"name": "grep"})), NONE)
check("dotted process.args key", j(cd(process=_DEL)).replace("{", '{"process.name":"grep","process.args":["grep","aws_session_token"],', 1), [EQL])
check("outside logs-cloud_defend*", j(cd(_index="logs-other-default")), NONE)

# ---------------------------------------------------------------------------
# Multi-line accounting and the CLI
# ---------------------------------------------------------------------------

lines = [j(ct()), "", "   ", "{bad", j(cd()), "\r", "42", j(ct(user__target__name="Alice"))]
t = oracle.Truth()
for n, l in enumerate(lines, 1):
    t.add(n, l.encode())
want = {"lines": 5, "rejected": [4, 7], "alerts": {ESQL: [1], EQL: [5]}}
if t.as_dict() != want:
    failures.append("Truth accounting: expected %r, got %r" % (want, t.as_dict()))

with tempfile.TemporaryDirectory() as tmp:
    a = os.path.join(tmp, "a.ndjson")
    b = os.path.join(tmp, "b.ndjson")
    with open(a, "wb") as f:
        f.write(("\n".join(lines) + "\n").encode())
    with open(b, "wb") as f:  # no final newline; an event without routing
        f.write(j(cd(data_stream=_DEL)).encode())
    for argv, want in (
        ([a, b], {"lines": 6, "rejected": [4, 7], "alerts": {ESQL: [1], EQL: [5]}}),
        (["--index", "logs-cloud_defend-x", a, b], {"lines": 6, "rejected": [4, 7], "alerts": {ESQL: [1], EQL: [5, 9]}}),
    ):
        p = subprocess.run([sys.executable, os.path.join(HERE, "oracle.py")] + argv, capture_output=True)
        try:
            got = json.loads(p.stdout)
        except ValueError:
            got = p.stdout + p.stderr
        if p.returncode != 0 or got != want:
            failures.append("oracle.py %s: expected %r, got %r (rc %d)" % (argv, want, got, p.returncode))

total = sum(1 for l in open(__file__) if l.lstrip().startswith("check("))
if failures:
    print("FAILED %d check(s):" % len(failures))
    for f in failures:
        print(" - " + f)
    sys.exit(1)
print("ok: %d line cases + accounting + CLI" % total)
