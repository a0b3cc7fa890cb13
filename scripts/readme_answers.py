"""Rewrite the JSON answer after each `curl … /v1/score … -d '{…}'` in README.md with what the
service answers today (run after models/default.json is retrained; the test
`examples::readme_shows_the_real_answer_to_its_curl_command` fails until then).

    python3 scripts/readme_answers.py     # needs a release build (LEADSCORE_SERVE_BIN or the cargo target folder)
"""
import json
import os
import pathlib
import re
import subprocess
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[1]


def serve_bin():
    if os.environ.get("LEADSCORE_SERVE_BIN"):
        return os.environ["LEADSCORE_SERVE_BIN"]
    target = os.environ.get("CARGO_TARGET_DIR", str(ROOT / "target"))
    return str(pathlib.Path(target) / "release" / "leadscore-serve")


def pretty(value, indent=0):
    """JSON as README shows it: anything that fits in 112 columns on one line."""
    compact = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    if indent + len(compact) <= 112 or not isinstance(value, (dict, list)) or not value:
        return compact
    pad = " " * (indent + 2)
    if isinstance(value, dict):
        items = [f"{pad}{json.dumps(k)}: {pretty(v, indent + 2)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    items = [pad + pretty(v, indent + 2) for v in value]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


def main():
    server = subprocess.Popen([serve_bin(), "--models-dir", "models", "--addr", "127.0.0.1:0"],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        address = None
        deadline = time.time() + 30
        while address is None and time.time() < deadline:
            line = server.stdout.readline()
            found = re.search(r"127\.0\.0\.1:(\d+)", line)
            if found:
                address = f"http://127.0.0.1:{found.group(1)}"
        if address is None:
            raise SystemExit("leadscore-serve printed no address")
        lines = (ROOT / "README.md").read_text().split("\n")
        out, body, i = [], None, 0
        while i < len(lines):
            line = lines[i]
            if "-d '" in line and "/v1/score" in line:
                body = line.split("-d '", 1)[1].rstrip().rstrip("'")
            if line.strip() == "```json" and body is not None:
                request = urllib.request.Request(address + "/v1/score", data=body.encode(),
                                                 headers={"Content-Type": "application/json"})
                with urllib.request.urlopen(request) as response:
                    answer = json.loads(response.read())
                indent = line[: len(line) - len(line.lstrip())]
                out.append(line)
                out.extend(indent + l for l in pretty(answer).split("\n"))
                i += 1
                while lines[i].strip() != "```":
                    i += 1
                out.append(lines[i])
                body = None
                i += 1
                continue
            out.append(line)
            i += 1
        (ROOT / "README.md").write_text("\n".join(out))
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
