#!/usr/bin/python3
"""Reads a /metrics answer (a file) with the Prometheus Python client's parser (Debian's
python3-prometheus-client, an independent implementation of the text format) and prints, as JSON,
every sample: {"samples": [{"name", "labels", "value"}], "families": {name: type}}.

Exits 1, saying why, when the parser refuses the text or when it breaks a rule the parser lets
through: a family named twice, a sample outside its family, a histogram whose buckets are not
cumulative or whose +Inf bucket is not its _count."""
import json
import math
import sys

from prometheus_client.parser import text_string_to_metric_families


def fail(why):
    print("metrics_parse.py: " + why, file=sys.stderr)
    sys.exit(1)


text = open(sys.argv[1], encoding="utf-8").read()
if not text.endswith("\n"):
    fail("the text does not end with a newline")
try:
    families = list(text_string_to_metric_families(text))
except Exception as e:  # the parser's refusal, whatever its type
    fail("the parser refused the text: %r" % (e,))

seen = {}
samples = []
for f in families:
    if f.name in seen:
        fail("family %s appears twice" % f.name)
    seen[f.name] = f.type
    if f.type == "unknown" and f.documentation == "":
        fail("samples without # HELP/# TYPE: %s" % f.name)
    buckets = {}
    for s in f.samples:
        if not s.name.startswith(f.name):
            fail("sample %s outside its family %s" % (s.name, f.name))
        value = s.value
        if isinstance(value, float) and (math.isinf(value) or math.isnan(value)):
            value = str(value)
        samples.append({"name": s.name, "labels": s.labels, "value": value})
        if f.type == "histogram":
            key = tuple(sorted((k, v) for k, v in s.labels.items() if k != "le"))
            entry = buckets.setdefault(key, {"buckets": [], "count": None})
            if s.name.endswith("_bucket"):
                entry["buckets"].append((float(s.labels["le"]), s.value))
            elif s.name.endswith("_count"):
                entry["count"] = s.value
    for key, entry in buckets.items():
        b = entry["buckets"]
        if not b or b[-1][0] != math.inf:
            fail("%s%s has no +Inf bucket last" % (f.name, dict(key)))
        if any(b[i][0] >= b[i + 1][0] or b[i][1] > b[i + 1][1] for i in range(len(b) - 1)):
            fail("%s%s: buckets not ascending and cumulative: %r" % (f.name, dict(key), b))
        if entry["count"] != b[-1][1]:
            fail("%s%s: _count %r is not the +Inf bucket %r" % (f.name, dict(key), entry["count"], b[-1][1]))

print(json.dumps({"families": seen, "samples": samples}))
