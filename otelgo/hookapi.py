"""What the Python side knows of otelgo's Go hook module, otelgo.dev/rules:
the names spliced code links to (the mirror of rules/api) and the packages
every instrumented program imports. No library is named here: a library's
facts live in its folder under rules/."""

ROOT_MODULE = "otelgo.dev/rules"

API = f"{ROOT_MODULE}/api"
CALL_CONTEXT = f"{API}.CallContext"
REPORT_PANIC = f"{API}.ReportHookPanic"
ENABLED = f"{API}.Enabled"
# Per goroutine: are the hooks off (ignored code, excluded requests)?
SUPPRESSED = f"{API}.Suppressed"
SUPPRESS = f"{API}.Suppress"
RESUME = f"{API}.Resume"

# The SDK bootstrap, imported by every program an instrumented build makes.
SDK = f"{ROOT_MODULE}/sdk"

# The SDK's log export: imported beside SDK when the build's OpenTelemetry
# has the log API and SDK.
SDK_LOGS = f"{SDK}/logs"

# The SDK's Prometheus exporter: beside SDK when the build asks for it
# (--exporters) and its release set can build it without raising the
# program's modules.
SDK_PROMETHEUS = f"{SDK}/prometheus"

# The SDK's OTLP/gRPC exporters (spans and metrics; logs beside SDK_LOGS).
SDK_OTLPGRPC = f"{SDK}/otlpgrpc"
SDK_LOGS_OTLPGRPC = f"{SDK_LOGS}/otlpgrpc"

# The SDK's console exporters (spans and metrics; logs beside SDK_LOGS).
SDK_CONSOLE = f"{SDK}/console"
SDK_LOGS_CONSOLE = f"{SDK_LOGS}/console"

# The exporters a build can link (--exporters, otelgo.toml) -> the hook
# packages that add them to the SDK bootstrap. OTLP over http/protobuf (the
# default protocol) is part of the bootstrap itself: always linked. OTLP
# over gRPC joins the programs that import LINKED_WITH's package
# themselves, where it costs little, and the others on request: console is
# for looking at a program while writing it (15 packages more to compile
# into every program otherwise), and the Prometheus exporter brings
# client_golang and its dependencies (~230 KiB of code, and modules that
# may be newer than the program's).
EXPORTERS: dict[str, tuple[str, ...]] = {
    "otlp": (),
    "otlp-grpc": (SDK_OTLPGRPC, SDK_LOGS_OTLPGRPC),
    "console": (SDK_CONSOLE, SDK_LOGS_CONSOLE),
    "prometheus": (SDK_PROMETHEUS,),
}
DEFAULT_EXPORTERS = ("otlp",)
LINKED_WITH = {"otlp-grpc": "google.golang.org/grpc"}

# Span rules and //otel:span comments: the package whose Start they call.
SPANS = f"{ROOT_MODULE}/annotate"
SPAN_START = f"{SPANS}.Start"

# The goroutine context: the current span of each goroutine.
GOROUTINE = f"{ROOT_MODULE}/goroutine"

# Hook packages that are not instrumentations: the SDK's set-up and flush and
# the goroutine context run in code //otel:ignore leaves out too, an
# allowlist leaves them on (rules/api), and --without cannot leave them out.
PLUMBING = frozenset({SDK, GOROUTINE})
