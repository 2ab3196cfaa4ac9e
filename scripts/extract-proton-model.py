#!/usr/bin/env python3
"""Extract the API facts proton-local needs from an installed botocore.

Reads botocore's Proton 2020-07-20 model (service, paginators, waiters) and
writes a compact JSON file without any documentation text: operation names,
shapes with their constraints, paginator tokens and waiter acceptors.

Usage: scripts/extract-proton-model.py [OUTPUT]
(default OUTPUT: proton-local/src/model.json next to this script's repo)
"""
import gzip
import json
import os
import sys

SHAPE_KEYS = ("type", "required", "min", "max", "pattern", "enum", "sensitive", "union", "box")
MEMBER_KEYS = ("shape", "idempotencyToken")


def load(path):
    """Load a botocore data file, which may be stored gzip-compressed."""
    if os.path.exists(path):
        with open(path, "rb") as f:
            return json.load(f)
    with gzip.open(path + ".gz", "rb") as f:
        return json.load(f)


def botocore_dir():
    import botocore  # imported late so --help works without it

    return os.path.join(os.path.dirname(botocore.__file__), "data", "proton", "2020-07-20")


def compact_shape(shape):
    out = {k: shape[k] for k in SHAPE_KEYS if k in shape}
    if shape.get("exception"):
        out["exception"] = True
    if "members" in shape:
        out["members"] = {
            name: {k: m[k] for k in MEMBER_KEYS if k in m} for name, m in shape["members"].items()
        }
    for k in ("member", "key", "value"):
        if k in shape:
            out[k] = shape[k]["shape"]
    return out


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    target = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "proton-local", "src", "model.json")
    base = botocore_dir()
    service = load(os.path.join(base, "service-2.json"))
    paginators = load(os.path.join(base, "paginators-1.json")).get("pagination", {})
    waiters = load(os.path.join(base, "waiters-2.json")).get("waiters", {})

    meta = service["metadata"]
    model = {
        "metadata": {k: meta[k] for k in ("apiVersion", "targetPrefix", "signingName", "jsonVersion", "protocol")},
        "operations": {},
        "shapes": {},
        "paginators": {},
        "waiters": {},
    }
    for name, op in sorted(service["operations"].items()):
        entry = {
            "input": op["input"]["shape"] if "input" in op else None,
            "output": op["output"]["shape"] if "output" in op else None,
            "errors": [e["shape"] for e in op.get("errors", [])],
        }
        if op.get("idempotent"):
            entry["idempotent"] = True
        model["operations"][name] = {k: v for k, v in entry.items() if v is not None}
    for name, shape in sorted(service["shapes"].items()):
        model["shapes"][name] = compact_shape(shape)
    for name, p in sorted(paginators.items()):
        model["paginators"][name] = {
            k: p[k] for k in ("input_token", "output_token", "limit_key", "result_key") if k in p
        }
    for name, w in sorted(waiters.items()):
        model["waiters"][name] = {
            "operation": w["operation"],
            "delay": w["delay"],
            "maxAttempts": w["maxAttempts"],
            "acceptors": w["acceptors"],
        }

    os.makedirs(os.path.dirname(target), exist_ok=True)
    tmp = target + ".tmp"
    with open(tmp, "w") as f:
        json.dump(model, f, indent=None, separators=(",", ":"), sort_keys=False)
        f.write("\n")
    os.replace(tmp, target)
    print(f"wrote {target}: {len(model['operations'])} operations, {len(model['shapes'])} shapes")


if __name__ == "__main__":
    main()
