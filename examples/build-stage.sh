#!/bin/sh
# The steps of an instrumented build stage, for a Dockerfile or a CI job:
# install otelgo from its source, then build with `otel go build` where the
# stage used `go build`. Non-interactive; every setting comes from the env.
#
#   OTELGO_SRC  the otelgo checkout            (default /otelgo)
#   APP_DIR     the Go module to build          (default /src)
#   PKG         the package to build            (default .)
#   OUT         where the binary goes           (default /out/app)
set -eu
OTELGO_SRC=${OTELGO_SRC:-/otelgo}
"$OTELGO_SRC/install.sh"
PATH="$HOME/.local/bin:$PATH"
cd "${APP_DIR:-/src}"
otel go build -trimpath -o "${OUT:-/out/app}" "${PKG:-.}"
