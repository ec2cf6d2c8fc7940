#!/usr/bin/env bash
# Install otelgo (the `otel` command) from this checkout.
#
#   ./install.sh          install for the current user (with `otel view`'s extra
#                         dependencies): a virtualenv under $OTELGO_HOME (default
#                         ~/.local/share/otelgo) and the `otel` command linked
#                         into $OTELGO_BIN (default ~/.local/bin)
#   ./install.sh --dev    a development virtualenv in ./.venv with the test
#                         dependencies, the package installed editable
#
# Non-interactive (Dockerfile stages, CI). Says what is missing and exits
# non-zero when the machine lacks something it cannot install by itself.
set -euo pipefail

MIN_GO_MINOR=24       # the hook module needs Go 1.24 or newer
MIN_PY_MINOR=10
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mode=user
[[ "${1:-}" == "--dev" ]] && mode=dev

say() { printf 'install.sh: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# --- Go ---------------------------------------------------------------------
command -v go >/dev/null 2>&1 || die "no \`go\` command on PATH: install Go 1.${MIN_GO_MINOR} or newer (https://go.dev/doc/install), then run this again"
goversion="$(go env GOVERSION)"
if [[ "$goversion" =~ ^go1\.([0-9]+) ]]; then
    (( BASH_REMATCH[1] >= MIN_GO_MINOR )) || die "$goversion is too old: otelgo needs Go 1.${MIN_GO_MINOR} or newer"
else
    say "warning: cannot tell the version of Go '$goversion' (a development toolchain?); going on"
fi

# --- Python -----------------------------------------------------------------
python="${PYTHON:-}"
if [[ -z "$python" ]]; then
    for candidate in python3 python; do
        command -v "$candidate" >/dev/null 2>&1 && { python="$(command -v "$candidate")"; break; }
    done
fi
[[ -n "$python" ]] || die "no python3 on PATH: install Python 3.${MIN_PY_MINOR} or newer (Debian: apt-get install python3 python3-venv)"
"$python" -c "import sys; sys.exit(sys.version_info < (3, $MIN_PY_MINOR))" \
    || die "$("$python" --version 2>&1) is too old: otelgo needs Python 3.${MIN_PY_MINOR} or newer"

make_venv() {
    "$python" -m venv "$1" 2>/dev/null \
        || die "cannot create a virtualenv with $python (Debian: apt-get install python3-venv)"
    "$1/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
}

if [[ "$mode" == dev ]]; then
    venv="$here/.venv"
    [[ -x "$venv/bin/python" ]] || make_venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e "$here[test,view]"
    # go test / go vet in rules/ read the semantic conventions package the
    # hooks import from disk (otelgo builds add it through -overlay): made
    # from the otel module in the module cache, gitignored.
    "$venv/bin/python" -m otelgo.plan.semconvcopy >/dev/null \
        || die "cannot make rules/internal/semconv (see above)"
    # Bytecode now, as pip makes it for an installed package: an editable
    # install has none, and where PYTHONDONTWRITEBYTECODE is set every otel
    # command would compile otelgo's modules again (~0.1 s each build).
    "$venv/bin/python" -m compileall -q "$here/otelgo" >/dev/null
    # The shim's fast path as a Go program (otelgo/toolexec/nativeshim.py),
    # built now so that no build waits for it.
    "$venv/bin/python" -m otelgo.toolexec.nativeshim >/dev/null
    # The built-in rules validated now (otelgo/ruleset/cache.py): a first
    # build with an empty cache does not import pydantic for them.
    "$venv/bin/python" -m otelgo.ruleset.load >/dev/null
    # The semantic conventions copy the hooks import, cut to what they use
    # (otelgo/plan/semconvcopy.py): a first build with an empty cache does
    # not make it.
    "$venv/bin/python" -m otelgo.plan.semconvcopy --installed >/dev/null \
        || say "warning: the first build will make the semantic conventions copy instead"
    # The hooks of standard-library functions checked against this Go
    # (otelgo/plan/hookcheck.py): a first build checks only the others.
    "$venv/bin/python" -m otelgo.plan.hookcheck >/dev/null \
        || say "warning: the first build will check the standard library's hooks instead"
    say "development install ready: $venv/bin/otel, tests: $venv/bin/python -m pytest"
    exit 0
fi

home="${OTELGO_HOME:-$HOME/.local/share/otelgo}"
bin="${OTELGO_BIN:-$HOME/.local/bin}"
rm -rf "$home/venv"
make_venv "$home/venv"
"$home/venv/bin/python" -m pip install --quiet --disable-pip-version-check "$here[view]"
# The shim's fast path, in Go (otelgo/toolexec/nativeshim.py): built for the
# installed package (not a checkout in the current directory), under its key.
(cd "$home/venv" && "$home/venv/bin/python" -m otelgo.toolexec.nativeshim >/dev/null)
(cd "$home/venv" && "$home/venv/bin/python" -m otelgo.ruleset.load >/dev/null)
mkdir -p "$bin"
ln -sf "$home/venv/bin/otel" "$bin/otel"
# Fetch the hook module's Go dependencies now, so the first build needs no network.
(cd "$home/venv" && "$home/venv/bin/python" - <<'EOF'
from otelgo.resources import rules_dir
import subprocess
subprocess.run(["go", "mod", "download"], cwd=rules_dir(), check=True)
EOF
) || say "warning: could not download the hook module's Go dependencies yet; the first build will"
(cd "$home/venv" && "$home/venv/bin/python" -m otelgo.plan.semconvcopy --installed >/dev/null) \
    || say "warning: the first build will make the semantic conventions copy instead"
(cd "$home/venv" && "$home/venv/bin/python" -m otelgo.plan.hookcheck >/dev/null) \
    || say "warning: the first build will check the standard library's hooks instead"
say "installed: $bin/otel ($("$bin/otel" --version))"
case ":$PATH:" in
    *":$bin:"*) ;;
    *) say "add $bin to PATH, e.g.: export PATH=\"$bin:\$PATH\"" ;;
esac
