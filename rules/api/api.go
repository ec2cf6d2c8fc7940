// Package api is the contract between code that otelgo splices into an
// instrumented package and the hook functions that rules point at.
//
// A function rule names a target function and hook functions:
//
//	target: func (recv R) F(p0 P0, p1 P1) (r0 Q0, r1 Q1)
//	OnEnter: func(call api.CallContext, recv R, p0 P0, p1 P1)
//	OnExit:  func(call api.CallContext, r0 Q0, r1 Q1)
//
// The receiver is passed only for methods. A variadic parameter ...T is
// passed as []T. A type the hook package cannot name (an unexported type,
// a type parameter, a type from an internal package) is passed as any.
//
// The hooks are reached through //go:linkname, so their signatures must fit
// the target exactly; otelgo checks them before it compiles anything.
package api

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync/atomic"
	_ "unsafe" // go:linkname
)

// CallContext is the view a hook has of one call of an instrumented
// function. The spliced code declares an interface with the same method set
// inside the target package (which may not import this one); keep the two in
// step: templates/trampolines.go.j2 declares the other half.
//
// A CallContext is valid from the call's OnEnter hooks to the end of its
// OnExit hooks, and no longer: the trampolines reuse it for a later call
// (a sync.Pool per function, where the package imports sync), so a hook must
// not keep it, or hand it to a goroutine that outlives the call. Keep what
// is needed instead (SetData's value, a parameter).
type CallContext interface {
	// Param returns parameter i (the receiver is not counted).
	Param(i int) any
	// SetParam replaces parameter i before the original body runs.
	SetParam(i int, v any)
	// Receiver returns the receiver of a method call, nil for a function.
	Receiver() any
	// Result returns result i; meaningful in OnExit, or after SetResult.
	Result(i int) any
	// SetResult replaces result i.
	SetResult(i int, v any)
	// SkipCall, called from OnEnter, makes the call return at once with the
	// results set through SetResult (zero values otherwise).
	SkipCall()
	// Data returns what this rule's OnEnter stored with SetData.
	Data() any
	// SetData keeps a value for this rule's OnExit of the same call.
	SetData(v any)
	// FuncName is the target as written in the rule: "(*Transport).RoundTrip".
	FuncName() string
	// PackagePath is the import path of the target's package.
	PackagePath() string
}

// The sites reported so far. A plain map behind a spin lock, not sync.Map
// or sync.Mutex: a hook may instrument package sync itself, and a report must
// not enter a hooked function while it holds the lock (a hook panicking
// there would report again, forever). It may also run before this package
// is initialised, so nothing here needs an initialiser.
var (
	reportLock atomic.Bool
	reported   map[string]bool
)

// started is set as the program's main package starts to initialise, by
// the file otelgo adds to it: every hook package is initialised by then, as
// main imports them all.
var started atomic.Bool

// Start is called by the file otelgo adds to the main package, in a
// package-level variable's initialiser; it returns true.
func Start() bool {
	started.Store(true)
	return true
}

// ReportHookPanic is called by spliced code when a hook panics. The panic
// never reaches the user's program; it is reported once per hook on stderr.
// It never panics itself: it runs in the trampoline's deferred recover.
//
// Before main starts to initialise, a hook is reported only with
// OTEL_LOG_LEVEL=debug. The go command initialises a package whose path
// sorts first first: a github.com/... package that pings its Redis from its
// init calls the hooks while their packages' variables (their instruments,
// OpenTelemetry's own globals) are not made yet. Such a call is left
// untraced whatever the hook does, as no SDK is set up yet either; the
// panic says nothing the user can act on.
func ReportHookPanic(site string, recovered any) {
	defer func() { _ = recover() }() // a recovered value whose String or Error panics
	if !started.Load() && os.Getenv("OTEL_LOG_LEVEL") != "debug" {
		return
	}
	for !reportLock.CompareAndSwap(false, true) {
		runtime.Gosched()
	}
	seen := reported[site]
	if !seen {
		if reported == nil {
			reported = make(map[string]bool)
		}
		reported[site] = true
	}
	reportLock.Store(false)
	if seen {
		return
	}
	fmt.Fprintf(os.Stderr, "otelgo: hook %s panicked: %v (the call went on uninstrumented; reported once)\n", site, recovered)
}

// GoroutineState keeps, per goroutine, whether instrumentation is off there:
// code an //otel:ignore comment leaves out runs with its hooks off, and so do
// the goroutines it starts. otelgo.dev/rules/goroutine implements it in the
// field that otelgo adds to runtime.g, and sets it as it initialises; until
// then (and in a build without it) nothing is ever off.
type GoroutineState struct {
	Suppressed func() bool
	Suppress   func() (pushed bool)
	Resume     func(pushed bool)
}

var goroutineState atomic.Pointer[GoroutineState]

// SetGoroutineState is called once, by otelgo.dev/rules/goroutine.
func SetGoroutineState(s GoroutineState) {
	goroutineState.Store(&s)
}

// Suppressed reports whether the hooks are off on this goroutine, because it
// runs code that //otel:ignore leaves out (or was started from there), or
// serves a request excluded from tracing. The trampolines ask it before they
// run a hook (the SDK's own hooks and the goroutine context's excepted), and
// so does a //otel:span span.
func Suppressed() bool {
	s := goroutineState.Load()
	return s != nil && s.Suppressed()
}

// Suppress switches the hooks off on this goroutine until the matching
// Resume: defer Resume(Suppress()). It reports whether it changed anything
// (it did not if they were off already), which Resume needs.
func Suppress() (pushed bool) {
	s := goroutineState.Load()
	return s != nil && s.Suppress()
}

// Resume undoes the Suppress that returned pushed.
func Resume(pushed bool) {
	if s := goroutineState.Load(); s != nil && pushed {
		s.Resume(pushed)
	}
}

// The variables that switch instrumentations on and off at run time. Each
// holds names separated by commas: a hook package's import path, its last
// element (nethttp, databasesql), or a library's folder under rules/
// (goredis: go-redis v9 and v8); the last two ignore case and punctuation,
// so net/http, NetHTTP and go-redis name nethttp and goredis too.
const (
	// EnabledVar, when set, switches on only the instrumentations it names
	// (the SDK set-up and the goroutine context stay on: they are not
	// instrumentations). The OpenTelemetry Go compile-time tool's name.
	EnabledVar = "OTEL_GO_ENABLED_INSTRUMENTATIONS"
	// DisabledVar switches off the instrumentations it names; it wins over
	// EnabledVar. The OpenTelemetry Go compile-time tool's name.
	DisabledVar = "OTEL_GO_DISABLED_INSTRUMENTATIONS"
	// LegacyDisabledVar is otelgo's older name for DisabledVar; both are read.
	LegacyDisabledVar = "OTELGO_DISABLED_INSTRUMENTATIONS"
)

// Enabled reports whether the hooks of hookPackage (an import path) are to
// run in this process. Spliced code asks once per hook package, while the
// instrumented package initialises, and tests a bool before each hooked
// call; off, a hooked call costs that test. The switches:
//
//	OTEL_SDK_DISABLED=true                   all hooks off (and no SDK)
//	OTEL_GO_ENABLED_INSTRUMENTATIONS=a,b     only the hooks of a and b on
//	OTEL_GO_DISABLED_INSTRUMENTATIONS=a,b    the hooks of a and b off
//	OTELGO_DISABLED_INSTRUMENTATIONS=a,b     the same (otelgo's older name)
//	OTELGO_SPANS_DISABLED=true               //otel:span comments and span rules off
//
// It may run before this package is initialised (an instrumented package
// can initialise first), so it uses no package-level variable; and before
// package syscall is (path, sort, strconv, errors initialise before it), so
// it reads the environment through getenv.
func Enabled(hookPackage string) (on bool) {
	defer func() {
		if recover() != nil {
			on = true // the environment cannot be read: keep the default
		}
	}()
	if isTrue(getenv("OTEL_SDK_DISABLED")) {
		return false
	}
	if hookPackage == rulesPrefix+"annotate" && isTrue(getenv("OTELGO_SPANS_DISABLED")) {
		return false
	}
	for _, v := range []string{DisabledVar, LegacyDisabledVar} {
		for _, name := range names(getenv(v)) {
			if Names(name, hookPackage) {
				return false
			}
		}
	}
	enabled := names(getenv(EnabledVar))
	if len(enabled) == 0 || alwaysOn(hookPackage) {
		return true
	}
	for _, name := range enabled {
		if Names(name, hookPackage) {
			return true
		}
	}
	return false
}

// Names reports whether name, as the switches spell it, names hookPackage.
func Names(name, hookPackage string) bool {
	if name == hookPackage {
		return true
	}
	key := fold(name)
	if key == "" {
		return false
	}
	if key == fold(hookPackage[strings.LastIndex(hookPackage, "/")+1:]) {
		return true
	}
	// A library's folder names all of its hook packages: goredis switches
	// off otelgo.dev/rules/goredis/goredisv8 too.
	if rest, ok := strings.CutPrefix(hookPackage, rulesPrefix); ok {
		folder, _, _ := strings.Cut(rest, "/")
		return key == fold(folder) || name == rest
	}
	return false
}

// CheckInstrumentations prints one line on stderr if the switches name an
// instrumentation that is none of known (hook packages' import paths). The
// bootstrap otelgo adds to each program calls it as the program starts,
// with the hook packages of every rule the build loaded.
func CheckInstrumentations(known ...string) {
	var unknown []string
	for _, v := range []string{EnabledVar, DisabledVar, LegacyDisabledVar} {
		for _, name := range names(os.Getenv(v)) {
			if !namesAny(name, known) {
				unknown = append(unknown, v+"="+name)
			}
		}
	}
	if len(unknown) == 0 {
		return
	}
	var short []string
	seen := map[string]bool{}
	for _, path := range known {
		last := path[strings.LastIndex(path, "/")+1:]
		if !seen[last] {
			seen[last] = true
			short = append(short, last)
		}
	}
	sort.Strings(short)
	fmt.Fprintf(os.Stderr, "otelgo: unknown instrumentation names: %s (known: %s); they switch nothing\n",
		strings.Join(unknown, ", "), strings.Join(short, ", "))
}

func namesAny(name string, known []string) bool {
	for _, path := range known {
		if Names(name, path) {
			return true
		}
	}
	return false
}

// alwaysOn: the SDK's set-up and flush, the goroutine context other hooks
// rely on, and //otel:ignore (which asks about this package) are not
// instrumentations an allowlist leaves out.
func alwaysOn(hookPackage string) bool {
	switch hookPackage {
	case rulesPrefix + "sdk", rulesPrefix + "goroutine", rulesPrefix + "api":
		return true
	}
	return false
}

// names splits a variable's value: names separated by commas, spaces trimmed.
func names(v string) []string {
	var out []string
	for _, name := range strings.Split(v, ",") {
		if name = strings.TrimSpace(name); name != "" {
			out = append(out, name)
		}
	}
	return out
}

// fold is a name without case and punctuation: net/http and NetHTTP are nethttp.
func fold(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

const rulesPrefix = "otelgo.dev/rules/"

// getenv is os.Getenv; while package syscall is not initialised yet (its
// Getenv calls a function variable its initialiser sets: a nil call), the
// value in the environment the process started with, which is the runtime's
// (what syscall copies when it initialises).
func getenv(key string) (value string) {
	defer func() {
		if recover() != nil {
			value = startEnv(key)
		}
	}()
	return os.Getenv(key)
}

func startEnv(key string) string {
	for _, kv := range runtimeEnvs() {
		if len(kv) > len(key) && kv[len(key)] == '=' && kv[:len(key)] == key {
			return kv[len(key)+1:]
		}
	}
	return ""
}

// runtimeEnvs is the runtime's copy of the environment, as package syscall
// gets it (the runtime pushes it under this name). Declared without a body:
// empty.s keeps the compiler from asking for one.
//
//go:linkname runtimeEnvs syscall.runtime_envs
func runtimeEnvs() []string

func isTrue(v string) bool {
	return strings.EqualFold(strings.TrimSpace(v), "true")
}
