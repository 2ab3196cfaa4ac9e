#!/usr/bin/env python3
"""Builds release archives of the provider the way the Terraform Registry and `terraform providers
mirror` expect them, into dist/:

  terraform-provider-proton_<version>_<os>_<arch>.zip   (holds terraform-provider-proton_v<version>)
  terraform-provider-proton_<version>_SHA256SUMS
  terraform-provider-proton_<version>_manifest.json     (terraform-registry-manifest.json: protocol 6.0)

and, with --mirror DIR, a filesystem mirror (packed layout) usable as `terraform init -plugin-dir=DIR`
or a `filesystem_mirror` in the CLI configuration.

The version comes from Cargo.toml. Builds for the host platform; `--profile debug` packages the debug
build (what the tests use, to keep CI fast), default `release`.
"""

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAME = "terraform-provider-proton"
ADDRESS = ("registry.terraform.io", "proton-community", "proton")


def cargo_version():
    with open(os.path.join(ROOT, "Cargo.toml")) as f:
        match = re.search(r'^version\s*=\s*"([^"]+)"', f.read(), re.MULTILINE)
    if not match:
        sys.exit("package: no version in Cargo.toml")
    return match.group(1)


def host_platform():
    system = {"Linux": "linux", "Darwin": "darwin", "Windows": "windows"}.get(platform.system())
    arch = {"x86_64": "amd64", "AMD64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(
        platform.machine())
    if not system or not arch:
        sys.exit(f"package: unsupported host {platform.system()}/{platform.machine()}")
    return system, arch


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", choices=["release", "debug"], default="release")
    parser.add_argument("--out", default=os.path.join(ROOT, "dist"))
    parser.add_argument("--mirror", help="also lay out a filesystem mirror in this directory")
    parser.add_argument("--skip-build", action="store_true")
    args = parser.parse_args()

    version = cargo_version()
    system, arch = host_platform()
    if not args.skip_build:
        command = ["cargo", "build", "--bin", NAME]
        if args.profile == "release":
            command.append("--release")
        subprocess.run(command, cwd=ROOT, check=True)
    binary = os.path.join(ROOT, "target", args.profile, NAME)
    if not os.path.exists(binary):
        sys.exit(f"package: {binary} is missing (build it or drop --skip-build)")

    os.makedirs(args.out, exist_ok=True)
    archive_name = f"{NAME}_{version}_{system}_{arch}.zip"
    archive = os.path.join(args.out, archive_name)
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        info = zipfile.ZipInfo(f"{NAME}_v{version}", date_time=(2026, 1, 1, 0, 0, 0))
        info.external_attr = 0o755 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        with open(binary, "rb") as f:
            zf.writestr(info, f.read())

    manifest_name = f"{NAME}_{version}_manifest.json"
    with open(os.path.join(args.out, manifest_name), "w") as f:
        json.dump({"version": 1, "metadata": {"protocol_versions": ["6.0"]}}, f, indent=2)
        f.write("\n")

    sums_name = f"{NAME}_{version}_SHA256SUMS"
    with open(os.path.join(args.out, sums_name), "w") as f:
        for name in sorted([archive_name, manifest_name]):
            f.write(f"{sha256(os.path.join(args.out, name))}  {name}\n")

    print(os.path.join(args.out, archive_name))
    if args.mirror:
        target = os.path.join(args.mirror, *ADDRESS)
        os.makedirs(target, exist_ok=True)
        shutil.copy2(archive, os.path.join(target, archive_name))
        print(f"mirror: {target}")


if __name__ == "__main__":
    main()
