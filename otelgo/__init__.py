"""otelgo: build Go programs with OpenTelemetry instrumentation spliced in."""

__version__ = "0.1.0"
