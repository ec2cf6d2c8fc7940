#!/bin/sh
# Copies go.opentelemetry.io/otel/semconv/v1.39.0 (and the metric helpers
# the hooks use) from the module cache, as it is, except for the import
# comments. Run from this directory after `go mod download
# go.opentelemetry.io/otel@VERSION` (the version rules/go.mod requires).
# Why a copy: see README.md.
set -eu
version=${1:-v1.41.0}
src="$(go env GOMODCACHE)/go.opentelemetry.io/otel@$version/semconv/v1.39.0"
for f in attribute_group.go doc.go error_type.go exception.go schema.go; do
	sed 's#^\(package [a-z]*\) // import ".*"$#\1#' "$src/$f" >"$f"
done
for sub in httpconv dbconv rpcconv; do
	mkdir -p "$sub"
	sed 's#^\(package [a-z]*\) // import ".*"$#\1#' "$src/$sub/metric.go" >"$sub/metric.go"
done
chmod u+w ./*.go ./*/*.go
