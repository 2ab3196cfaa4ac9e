"""Turns `terraform output -json` (stdin) into proton-outputs.json (stdout): output names and
their values, which Proton reads once the provision commands have succeeded."""

import json
import sys

outputs = json.load(sys.stdin)
json.dump({name: output["value"] for name, output in outputs.items()}, sys.stdout, indent=2)
print()
