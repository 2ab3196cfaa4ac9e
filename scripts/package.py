#!/usr/bin/env python3
"""Builds, signs and checks release archives the way the Terraform Registry serves them, into dist/:

  terraform-provider-proton_<version>_<os>_<arch>.zip   holds terraform-provider-proton_v<version>[.exe]
  terraform-provider-proton_<version>_manifest.json     copy of terraform-registry-manifest.json
  terraform-provider-proton_<version>_SHA256SUMS        every zip of this version in dist/, and the manifest
  terraform-provider-proton_<version>_SHA256SUMS.sig    detached binary GPG signature (--sign)

The names are the ones goreleaser writes for terraform-provider-scaffolding, so the Registry's
release webhook finds them. The version comes from Cargo.toml.

  scripts/package.py                      the host platform, release profile, unsigned
  scripts/package.py --release            every platform this host builds, signed, then checked
  scripts/package.py --targets linux_arm64,windows_amd64 --no-sums    archives only (CI's macOS job)
  scripts/package.py --targets none --sign --check  sum, sign and check the archives already in dist/

Platforms: linux_amd64, linux_arm64 and windows_amd64 build on a Linux host (Debian's cross
compilers, installed with apt-get when missing and run as root); darwin_amd64 and darwin_arm64 build on
macOS (Xcode's clang builds both). aws-lc-sys compiles C for each target, so each target needs its C
compiler, and Windows x86_64 also needs NASM.

Signing key, from the environment (as the scaffolding's release workflow passes it):
  GPG_FINGERPRINT    a key already in the keyring (GNUPGHOME), or
  GPG_PRIVATE_KEY    an ASCII-armored secret key, imported into a temporary keyring for this run;
  PASSPHRASE         its passphrase, when it has one.
The key must be RSA: Terraform 1.0.3 refuses an EdDSA (ed25519) signature; 1.15 accepts both.

--check verifies what a user's `terraform init` will: the signature against the public key alone (a
keyring holding nothing else), every sum, the manifest's protocol, and that each zip holds exactly
one binary, executable, for the platform its name says.
"""

import argparse
import contextlib
import glob
import hashlib
import json
import os
import platform
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAME = "terraform-provider-proton"
ADDRESS = ("registry.terraform.io", "proton-community", "proton")
MANIFEST = os.path.join(ROOT, "terraform-registry-manifest.json")
# Fixed timestamp in the zip: the same binary gives the same archive, hence the same sum.
ZIP_TIME = (2026, 1, 1, 0, 0, 0)

# Rust target of each Registry platform.
TRIPLES = {
    "linux_amd64": "x86_64-unknown-linux-gnu",
    "linux_arm64": "aarch64-unknown-linux-gnu",
    "windows_amd64": "x86_64-pc-windows-gnu",
    "darwin_amd64": "x86_64-apple-darwin",
    "darwin_arm64": "aarch64-apple-darwin",
}
# What each host builds with --targets all / --release.
HOST_PLATFORMS = {
    "linux": ["linux_amd64", "linux_arm64", "windows_amd64"],
    "darwin": ["darwin_amd64", "darwin_arm64"],
}
# Cross compilers on a Linux host: (C compiler for cc-rs and linker, Debian package).
LINUX_CROSS = {
    "linux_arm64": ("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu"),
    "linux_amd64": ("x86_64-linux-gnu-gcc", "gcc-x86-64-linux-gnu"),
    "windows_amd64": ("x86_64-w64-mingw32-gcc", "gcc-mingw-w64-x86-64"),
}
# ELF e_machine and PE machine numbers of each architecture, for --check.
ELF_MACHINES = {"amd64": 0x3E, "arm64": 0xB7}
PE_MACHINES = {"amd64": 0x8664, "arm64": 0xAA64}
MACHO_CPUS = {"amd64": 0x01000007, "arm64": 0x0100000C}


def die(message):
    sys.exit(f"package: {message}")


def say(message):
    print(f"package: {message}", file=sys.stderr)


def cargo_version():
    with open(os.path.join(ROOT, "Cargo.toml")) as f:
        match = re.search(r'^version\s*=\s*"([^"]+)"', f.read(), re.MULTILINE)
    if not match:
        die("no version in Cargo.toml")
    return match.group(1)


def host_platform():
    system = {"Linux": "linux", "Darwin": "darwin", "Windows": "windows"}.get(platform.system())
    arch = {"x86_64": "amd64", "AMD64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(
        platform.machine())
    if not system or not arch:
        die(f"unsupported host {platform.system()}/{platform.machine()}")
    return f"{system}_{arch}"


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def names(version):
    prefix = f"{NAME}_{version}"
    return {
        "zip": lambda plat: f"{prefix}_{plat}.zip",
        "manifest": f"{prefix}_manifest.json",
        "sums": f"{prefix}_SHA256SUMS",
        "sig": f"{prefix}_SHA256SUMS.sig",
        "binary": lambda plat: f"{NAME}_v{version}" + (".exe" if plat.startswith("windows") else ""),
    }


# ------------------------------------------------------------------------------------------------
# Toolchains
# ------------------------------------------------------------------------------------------------

_apt_updated = False


def apt_install(package, why):
    """Installs a Debian package when this is a Debian-like system run as root; stops otherwise."""
    global _apt_updated
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        die(f"{why}: install the package '{package}' (or its equivalent) and re-run")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    if not _apt_updated:
        say("apt-get update")
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        _apt_updated = True
    say(f"apt-get install {package} ({why})")
    subprocess.run(["apt-get", "install", "-y", "-qq", package], check=True, env=env)


def need_command(command, package, why):
    if shutil.which(command) is None:
        apt_install(package, why)
    if shutil.which(command) is None:
        die(f"{command} still missing after installing {package}")


def ensure_rust_target(triple):
    installed = subprocess.run(["rustup", "target", "list", "--installed"], capture_output=True,
                               text=True)
    if installed.returncode != 0:
        die("rustup is needed to add cross targets")
    if triple not in installed.stdout.split():
        say(f"rustup target add {triple}")
        subprocess.run(["rustup", "target", "add", triple], check=True)


def build_env(plat, host):
    """The environment cargo needs for `plat` on this host: the cross C compiler (aws-lc-sys compiles
    C through cc-rs) and linker, installed when missing."""
    env = dict(os.environ)
    triple = TRIPLES[plat]
    if plat == host:
        return env
    host_os = host.split("_")[0]
    if host_os == "darwin" and plat.startswith("darwin"):
        ensure_rust_target(triple)  # Xcode's clang targets both architectures
        return env
    if host_os != "linux" or plat not in LINUX_CROSS:
        die(f"{plat} does not build on {host}: "
            f"build it on {'macOS' if plat.startswith('darwin') else 'Linux'}")
    ensure_rust_target(triple)
    compiler, package = LINUX_CROSS[plat]
    need_command(compiler, package, f"the C compiler for {plat}")
    if plat.startswith("windows"):
        # aws-lc-sys assembles its x86_64 Windows code with NASM.
        need_command("nasm", "nasm", "aws-lc-sys needs NASM for windows_amd64")
    key = triple.replace("-", "_")
    env.setdefault(f"CC_{key}", compiler)  # cc-rs finds the matching ar itself
    env.setdefault(f"CARGO_TARGET_{key.upper()}_LINKER", compiler)
    return env


def build(plat, host, profile):
    """Builds the provider for `plat` and returns the binary's path."""
    command = ["cargo", "build", "--locked", "--bin", NAME]
    if plat != host:
        # The host build stays in target/<profile>/, shared with `cargo build` and the benches.
        command += ["--target", TRIPLES[plat]]
    if profile == "release":
        command.append("--release")
    say(" ".join(command))
    subprocess.run(command, cwd=ROOT, check=True, env=build_env(plat, host))
    return binary_path(plat, host, profile)


def binary_path(plat, host, profile):
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")
    suffix = ".exe" if plat.startswith("windows") else ""
    if plat == host:
        path = os.path.join(target, profile, NAME + suffix)
    else:
        path = os.path.join(target, TRIPLES[plat], profile, NAME + suffix)
    if not os.path.exists(path):
        die(f"no {profile} binary for {plat} at {path} (build it or drop --skip-build)")
    return path


# ------------------------------------------------------------------------------------------------
# Archives and sums
# ------------------------------------------------------------------------------------------------

def write_zip(binary, archive, member):
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        info = zipfile.ZipInfo(member, date_time=ZIP_TIME)
        info.external_attr = 0o755 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        with open(binary, "rb") as f:
            zf.writestr(info, f.read())


def write_manifest(out, n):
    target = os.path.join(out, n["manifest"])
    shutil.copyfile(MANIFEST, target)
    return target


def version_zips(out, version):
    """Every archive of `version` in `out`, sorted: what the sums cover."""
    pattern = os.path.join(glob.escape(out), f"{NAME}_{version}_*_*.zip")
    return sorted(os.path.basename(p) for p in glob.glob(pattern))


def write_sums(out, version, n):
    files = sorted(version_zips(out, version) + [n["manifest"]])
    with open(os.path.join(out, n["sums"]), "w") as f:
        for name in files:
            f.write(f"{sha256(os.path.join(out, name))}  {name}\n")
    return files


# ------------------------------------------------------------------------------------------------
# Signing
# ------------------------------------------------------------------------------------------------

def gpg(home, args, stdin=None, check=True):
    command = ["gpg", "--batch", "--no-tty", "--homedir", home] + args
    result = subprocess.run(command, input=stdin, capture_output=True)
    if check and result.returncode != 0:
        die(f"{' '.join(command)} failed:\n{result.stderr.decode(errors='replace')}")
    return result


def stop_agent(home):
    # A keyring made for this run must not leave its agent behind.
    subprocess.run(["gpgconf", "--homedir", home, "--kill", "all"], capture_output=True)


@contextlib.contextmanager
def signing_key():
    """(GNUPGHOME, fingerprint) of the release key named by the environment."""
    if shutil.which("gpg") is None:
        apt_install("gnupg", "signing needs gpg")
    armored = os.environ.get("GPG_PRIVATE_KEY")
    fingerprint = os.environ.get("GPG_FINGERPRINT")
    if armored:
        home = tempfile.mkdtemp(prefix="package-gnupg-")
        try:
            os.chmod(home, 0o700)
            gpg(home, ["--import"], stdin=armored.encode())
            listed = gpg(home, ["--with-colons", "--list-secret-keys"]).stdout.decode()
            fingerprints = [line.split(":")[9] for line in listed.splitlines()
                            if line.startswith("fpr:")]
            if not fingerprints:
                die("GPG_PRIVATE_KEY holds no secret key")
            yield home, fingerprint or fingerprints[0]
        finally:
            stop_agent(home)
            shutil.rmtree(home, ignore_errors=True)
    elif fingerprint:
        home = os.environ.get("GNUPGHOME") or os.path.expanduser("~/.gnupg")
        yield home, fingerprint
    else:
        die("--sign needs GPG_FINGERPRINT (a key in the keyring) or GPG_PRIVATE_KEY (armored)")


def sign(out, n, home, fingerprint):
    sums, sig = os.path.join(out, n["sums"]), os.path.join(out, n["sig"])
    args = ["--yes", "--local-user", fingerprint, "--output", sig, "--detach-sign", sums]
    passphrase = os.environ.get("PASSPHRASE")
    if passphrase:
        args = ["--pinentry-mode", "loopback", "--passphrase-fd", "0"] + args
    gpg(home, args, stdin=passphrase.encode() if passphrase else None)
    public = gpg(home, ["--armor", "--export", fingerprint]).stdout.decode()
    if "BEGIN PGP PUBLIC KEY BLOCK" not in public:
        die(f"no public key for {fingerprint}")
    return public


# ------------------------------------------------------------------------------------------------
# Checks
# ------------------------------------------------------------------------------------------------

def binary_platform(data):
    """(os, arch) that an executable's header names, or None."""
    if data[:4] == b"\x7fELF" and len(data) >= 20:
        machine = struct.unpack_from("<H", data, 18)[0]
        arch = next((a for a, m in ELF_MACHINES.items() if m == machine), None)
        return ("linux", arch) if arch else None
    if data[:2] == b"MZ" and len(data) >= 0x40:
        pe = struct.unpack_from("<I", data, 0x3C)[0]
        if data[pe:pe + 4] == b"PE\0\0":
            machine = struct.unpack_from("<H", data, pe + 4)[0]
            arch = next((a for a, m in PE_MACHINES.items() if m == machine), None)
            return ("windows", arch) if arch else None
    if data[:4] == b"\xcf\xfa\xed\xfe" and len(data) >= 8:
        cpu = struct.unpack_from("<I", data, 4)[0]
        arch = next((a for a, m in MACHO_CPUS.items() if m == cpu), None)
        return ("darwin", arch) if arch else None
    return None


def check(out, version, n, public_key, expect):
    """Raises SystemExit naming the first problem; returns a summary line per file."""
    problems, report = [], []
    sums_path = os.path.join(out, n["sums"])
    if not os.path.exists(sums_path):
        die(f"check: {n['sums']} is missing")
    listed = {}
    for line in open(sums_path).read().splitlines():
        match = re.fullmatch(r"([0-9a-f]{64})  (\S+)", line)
        if not match:
            problems.append(f"malformed line in {n['sums']}: {line!r}")
            continue
        listed[match.group(2)] = match.group(1)

    # The signature, checked with a keyring that holds only the public key.
    home = tempfile.mkdtemp(prefix="package-verify-")
    try:
        os.chmod(home, 0o700)
        gpg(home, ["--import"], stdin=public_key.encode())
        verify = gpg(home, ["--status-fd", "1", "--verify", os.path.join(out, n["sig"]), sums_path],
                     check=False)
        status = verify.stdout.decode()
        valid = re.search(r"^\[GNUPG:\] VALIDSIG (\S+)(?: \S+){5} (\d+) ", status, re.MULTILINE)
        if verify.returncode != 0 or not valid:
            problems.append(f"{n['sig']} does not verify: {verify.stderr.decode(errors='replace')}")
        elif valid.group(2) != "1":
            problems.append(f"{n['sig']} is made with public-key algorithm {valid.group(2)}, not RSA "
                            "(Terraform 1.0.3 refuses it)")
        else:
            report.append(f"{n['sig']}: good signature by {valid.group(1)}")
    finally:
        stop_agent(home)
        shutil.rmtree(home, ignore_errors=True)

    present = set(version_zips(out, version)) | {n["manifest"]}
    for name in sorted(present - set(listed)):
        problems.append(f"{name} is not in {n['sums']}")
    for name, digest in sorted(listed.items()):
        path = os.path.join(out, name)
        if not os.path.exists(path):
            problems.append(f"{name} is in {n['sums']} but missing")
        elif sha256(path) != digest:
            problems.append(f"{name} does not match its sum")

    manifest_path = os.path.join(out, n["manifest"])
    if os.path.exists(manifest_path):
        manifest = json.load(open(manifest_path))
        if manifest.get("metadata", {}).get("protocol_versions") != ["6.0"]:
            problems.append(f"{n['manifest']} does not declare protocol 6.0: {manifest}")

    platforms = []
    for name in sorted(present - {n["manifest"]}):
        plat = name[len(f"{NAME}_{version}_"):-len(".zip")]
        platforms.append(plat)
        member = n["binary"](plat)
        with zipfile.ZipFile(os.path.join(out, name)) as zf:
            infos = zf.infolist()
            if [i.filename for i in infos] != [member]:
                problems.append(f"{name} holds {[i.filename for i in infos]}, not [{member!r}]")
                continue
            if not plat.startswith("windows") and not (infos[0].external_attr >> 16) & 0o111:
                problems.append(f"{name}: {member} is not executable")
            header = zf.open(member).read(1 << 16)
        found = binary_platform(header)
        if found != tuple(plat.split("_", 1)):
            problems.append(f"{name} holds a binary for {found}, not {plat}")
        else:
            report.append(f"{name}: {member} for {plat}, {infos[0].file_size} bytes")

    missing = sorted(set(expect) - set(platforms))
    if missing:
        problems.append(f"no archive for {', '.join(missing)}")
    if problems:
        die("check failed:\n  " + "\n  ".join(problems))
    return report


# ------------------------------------------------------------------------------------------------

def platforms_arg(value, host):
    if value == "host":
        return [host]
    if value == "none":
        return []
    if value == "all":
        return HOST_PLATFORMS.get(host.split("_")[0], [host])
    chosen = [v.strip() for v in value.split(",") if v.strip()]
    unknown = [v for v in chosen if v not in TRIPLES]
    if unknown:
        die(f"unknown platform {', '.join(unknown)} (known: {', '.join(TRIPLES)})")
    return chosen


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(__doc__.splitlines()[1:]))
    parser.add_argument("--targets", default="host",
                        help="host (default), all (every platform this host builds), none (only "
                             "sum, sign and check what dist/ holds), or a list such as "
                             "linux_amd64,windows_amd64")
    parser.add_argument("--profile", choices=["release", "debug"], default="release",
                        help="debug packages the debug build (what the tests use)")
    parser.add_argument("--out", default=os.path.join(ROOT, "dist"))
    parser.add_argument("--skip-build", action="store_true",
                        help="package the binaries already built")
    parser.add_argument("--no-sums", action="store_true",
                        help="archives only (a job whose archives another job sums and signs)")
    parser.add_argument("--sign", action="store_true", help="sign SHA256SUMS (key from the environment)")
    parser.add_argument("--check", action="store_true", help="verify dist/ as terraform init would")
    parser.add_argument("--public-key", help="armored public key for --check without --sign")
    parser.add_argument("--expect", default="",
                        help="platforms --check requires an archive for (comma-separated)")
    parser.add_argument("--release", action="store_true",
                        help="--targets all --sign --check, release profile")
    parser.add_argument("--mirror", help="also lay out a filesystem mirror (host archive) here")
    parser.add_argument("--print-version", action="store_true",
                        help="print the version from Cargo.toml and exit")
    args = parser.parse_args()
    if args.print_version:
        print(cargo_version())
        return
    if args.release:
        args.targets, args.sign, args.check, args.profile = "all", True, True, "release"

    version = cargo_version()
    n = names(version)
    host = host_platform()
    targets = platforms_arg(args.targets, host)
    os.makedirs(args.out, exist_ok=True)

    for plat in targets:
        binary = (binary_path(plat, host, args.profile) if args.skip_build
                  else build(plat, host, args.profile))
        archive = os.path.join(args.out, n["zip"](plat))
        write_zip(binary, archive, n["binary"](plat))
        print(archive)
        if args.mirror and plat == host:
            mirror = os.path.join(args.mirror, *ADDRESS)
            os.makedirs(mirror, exist_ok=True)
            shutil.copy2(archive, os.path.join(mirror, os.path.basename(archive)))
            say(f"mirror: {mirror}")

    if args.no_sums:
        return
    # --check alone checks dist/ as it is; anything built or signed gets fresh sums first.
    if targets or args.sign:
        write_manifest(args.out, n)
        summed = write_sums(args.out, version, n)
        say(f"{n['sums']}: {', '.join(summed)}")

    public_key = None
    if args.public_key:
        public_key = open(args.public_key).read()
    if args.sign:
        with signing_key() as (home, fingerprint):
            public_key = sign(args.out, n, home, fingerprint)
        say(f"{n['sig']}: signed by {fingerprint}")
    if args.check:
        if public_key is None:
            die("--check needs --sign or --public-key FILE")
        expect = platforms_arg(args.expect, host) if args.expect else targets
        for line in check(args.out, version, n, public_key, expect):
            say(f"ok {line}")
        say("release checked")


if __name__ == "__main__":
    main()
