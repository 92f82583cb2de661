#!/usr/bin/env bash
# Ensures .venv/custodian holds Cloud Custodian as bench/requirements-custodian.txt
# pins it. Does nothing and prints nothing when it is current. Rebuild with
# `rm -rf .venv/custodian`; override the interpreter with PYTHON=/path/to/python3.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv/custodian"
requirements="$root/bench/requirements-custodian.txt"
stamp="$venv/.requirements.sha256"
python="${PYTHON:-python3}"

log() { printf 'custodian-env: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

wanted="$(sha256sum "$requirements" | cut -d' ' -f1)"
if [[ -x "$venv/bin/custodian" && -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then
  exit 0
fi

command -v "$python" >/dev/null 2>&1 ||
  die "'$python' not found. Install Python 3.11+ with the venv module, or set PYTHON=/path/to/python3."
mkdir -p "$root/.venv"
if [[ ! -x "$venv/bin/python" ]]; then
  log "creating .venv/custodian with $("$python" --version 2>&1)"
  rm -rf "$venv"
  "$python" -m venv "$venv" || die "'$python -m venv' failed. On Debian/Ubuntu install python3-venv."
fi
log "installing bench/requirements-custodian.txt (about a minute)"
rm -f "$stamp"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
  --requirement "$requirements" || die "pip install into .venv/custodian failed."
printf '%s\n' "$wanted" >"$stamp"
log "done"
