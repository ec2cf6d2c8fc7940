"""`otel view`: a local OTLP receiver that draws each trace as a tree."""
