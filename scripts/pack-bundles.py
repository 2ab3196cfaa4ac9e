#!/usr/bin/env python3
"""Packs each template bundle under examples/bundles/ the way Proton takes it: a gzip tarball of
the bundle's v1/ folder (schema/, infrastructure/ or instance_infrastructure/ and
pipeline_infrastructure/, and any .template-registration.yaml), as `tar -zcf NAME.tar.gz v1/` would.

    scripts/pack-bundles.py OUT_DIR [--bucket BUCKET] [KEY=NAME ...]

writes OUT_DIR/BUCKET/NAME.tar.gz (BUCKET defaults to proton-bundles): start proton-local with
`--bundles OUT_DIR` and register a version with `source = { s3 = { bucket = "proton-bundles",
key = "NAME.tar.gz" } }`. Each KEY=NAME also writes bundle NAME as OUT_DIR/BUCKET/KEY, for
configurations that register one bundle under several keys (examples/complete releases 1.0 and
1.1 from `web/1.0.tar.gz` and `web/1.1.tar.gz`). The tarballs are byte-for-byte reproducible (sorted entries, fixed times
and owners), and each is written to a temporary file and renamed, so concurrent runs are safe.
"""

import argparse
import gzip
import io
import os
import sys
import tarfile
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUNDLES = os.path.join(ROOT, "examples", "bundles")


def pack(folder: str) -> bytes:
    """The gzip tarball of `folder` (its files under a `v1/` top-level folder)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames.sort()
            for name in sorted(filenames):
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, os.path.dirname(folder)).replace(os.sep, "/")
                with open(path, "rb") as f:
                    data = f.read()
                info = tarfile.TarInfo(rel)
                info.size = len(data)
                info.mode = 0o644
                info.mtime = 0
                info.uname = info.gname = ""
                tar.addfile(info, io.BytesIO(data))
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as gz:
        gz.write(raw.getvalue())
    return out.getvalue()


def write_atomically(path: str, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".pack-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", help="folder to write BUCKET/NAME.tar.gz into")
    parser.add_argument("--bucket", default="proton-bundles")
    parser.add_argument("aliases", nargs="*", metavar="KEY=NAME", help="also write NAME as KEY")
    args = parser.parse_args()
    target = os.path.join(args.out_dir, args.bucket)
    os.makedirs(target, exist_ok=True)
    names = sorted(
        n for n in os.listdir(BUNDLES) if os.path.isdir(os.path.join(BUNDLES, n, "v1"))
    )
    keys = [(f"{name}.tar.gz", name) for name in names]
    for alias in args.aliases:
        key, _, name = alias.partition("=")
        if name not in names or not key or key.startswith("/") or ".." in key.split("/"):
            parser.error(f"{alias!r}: expected KEY=NAME with NAME one of {', '.join(names)}")
        keys.append((key, name))
    for key, name in keys:
        path = os.path.join(target, key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        write_atomically(path, pack(os.path.join(BUNDLES, name, "v1")))
        print(f"s3://{args.bucket}/{key} -> {os.path.relpath(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
