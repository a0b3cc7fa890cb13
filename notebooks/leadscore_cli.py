"""Run the leadscore CLI and service from a notebook.

The notebooks call the real binaries and read their --json output; nothing
here scores, trains or measures anything itself. The binaries are found in
this order:

1. LEADSCORE_BIN: a folder holding `leadscore` and `leadscore-serve`;
2. the release folder of cargo's target directory (as `cargo metadata` reports
   it, so CARGO_TARGET_DIR and .cargo/config are honoured), after
   `cargo build --release --bins` from the repository root.
"""
import json
import os
import pathlib
import re
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
MODELS = ROOT / "models"


def _bin_dir():
    if os.environ.get("LEADSCORE_BIN"):
        return pathlib.Path(os.environ["LEADSCORE_BIN"])
    cargo = shutil.which("cargo")
    if cargo is None:
        raise RuntimeError("cargo is not on PATH: install Rust, or set LEADSCORE_BIN to the folder holding leadscore")
    meta = subprocess.run(
        [cargo, "metadata", "--format-version", "1", "--no-deps"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    return pathlib.Path(json.loads(meta.stdout)["target_directory"]) / "release"


BIN_DIR = _bin_dir()


def binary(name):
    """The path of `leadscore` or `leadscore-serve`, checked to exist."""
    path = BIN_DIR / name
    if not path.exists():
        raise RuntimeError(
            f"{path} does not exist: run `cargo build --release --bins` in {ROOT}, "
            "or set LEADSCORE_BIN to the folder holding the binaries"
        )
    return path


def work_dir():
    """A fresh scratch folder for a notebook's outputs (models, reports)."""
    return pathlib.Path(tempfile.mkdtemp(prefix="leadscore-notebook-"))


def run(*args, cwd=None):
    """Run `leadscore ARGS…` from the repository root; return its stdout.

    A non-zero exit raises with leadscore's own message (it names the file,
    column or row and what to do)."""
    command = [str(binary("leadscore"))] + [str(a) for a in args]
    done = subprocess.run(command, cwd=cwd or ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"leadscore {' '.join(map(str, args))} failed ({done.returncode}):\n{done.stderr}")
    return done.stdout


def run_json(*args, cwd=None):
    """Run `leadscore ARGS… --json` and parse what it prints."""
    return json.loads(run(*args, "--json", cwd=cwd))


class Service:
    """`leadscore-serve` on a free port of 127.0.0.1; use it in a `with`
    block, or call stop() in a `finally`, so the process always ends."""

    def __init__(self, *args):
        command = [str(binary("leadscore-serve")), "--addr", "127.0.0.1:0",
                   "--log-level", "warn,leadscore_serve=info"] + [str(a) for a in args]
        self.process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True)
        self.url = None
        deadline = time.time() + 30
        while time.time() < deadline:
            line = self.process.stderr.readline()
            if not line and self.process.poll() is not None:
                break
            found = re.search(r"listening on (http://[0-9.:]+)", line)
            if found:
                self.url = found.group(1)
                break
        if self.url is None:
            self.stop()
            raise RuntimeError(f"leadscore-serve did not start (exit {self.process.poll()})")

    def post(self, path, body):
        """POST JSON; return the status and the parsed answer."""
        request = urllib.request.Request(self.url + path, data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    def get(self, path):
        """GET; return the status and the body as text."""
        with urllib.request.urlopen(self.url + path, timeout=30) as response:
            return response.status, response.read().decode()

    def stop(self):
        """SIGTERM (requests in flight finish), then wait."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False


def lead_json(row):
    """A CSV row (a dict of strings) as a JSON lead: blanks as null, numbers
    as numbers, the rest as text (as a CRM would send it)."""
    out = {}
    for k, v in row.items():
        if v is None or v == "":
            out[k] = None
            continue
        try:
            out[k] = int(v)
        except ValueError:
            try:
                out[k] = float(v)
            except ValueError:
                out[k] = v
    return out
