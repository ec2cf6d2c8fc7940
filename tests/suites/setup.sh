#!/usr/bin/env bash
# Prepares the unprivileged user that runs other people's test suites (the
# suites lane, tests/suites/README.md). Run as root; idempotent.
#
# Other people's test suites can damage a machine when run as root: gin
# 1.12's own suite calls SaveUploadedFile(f, "/"), which chmods / to 0750,
# after which no other user can start a program. So the lane runs every
# build and every test binary as the user made here, with a home, a Go build
# cache, a module cache and a Python environment of its own: it never
# writes to root's caches, and root's (in /root, mode 0700) are not even
# readable to it.
set -euo pipefail

SUITES_USER=${OTELGO_SUITES_USER:-otelgo-suites}
SUITES_HOME=${OTELGO_SUITES_HOME:-/var/lib/otelgo-suites}

if [ "$(id -u)" != 0 ]; then
	echo "tests/suites/setup.sh: run as root (it creates the user $SUITES_USER)" >&2
	exit 1
fi
if ! id "$SUITES_USER" >/dev/null 2>&1; then
	useradd --system --user-group --create-home --home-dir "$SUITES_HOME" --shell /usr/sbin/nologin "$SUITES_USER"
fi
install -d -m 0700 -o "$SUITES_USER" -g "$SUITES_USER" "$SUITES_HOME"

as_user() {
	setpriv --reuid="$SUITES_USER" --regid="$SUITES_USER" --init-groups \
		env -i HOME="$SUITES_HOME" PATH=/usr/local/go/bin:/usr/bin:/bin "$@"
}

# The checkout's .venv points at an interpreter under /root, which the user
# cannot run: it gets a virtualenv of its own from the system's Python with
# otelgo's dependencies (otelgo itself runs from the checkout).
if [ ! -x "$SUITES_HOME/venv/bin/python" ]; then
	as_user /usr/bin/python3 -m venv "$SUITES_HOME/venv"
fi
as_user "$SUITES_HOME/venv/bin/python" -m pip install --quiet --disable-pip-version-check \
	'click>=8.1' 'jinja2>=3.1' 'pydantic>=2.6' 'rich>=13' 'tree-sitter>=0.25' 'tree-sitter-go>=0.25'
echo "tests/suites/setup.sh: $SUITES_USER ready ($SUITES_HOME)"
