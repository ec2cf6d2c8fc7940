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
	"strings"
	"sync/atomic"
	_ "unsafe" // go:linkname
)

// CallContext is the view a hook has of one call of an instrumented
// function. The spliced code declares an interface with the same method set
// inside the target package (which may not import this one); keep the two in
// step: templates/trampolines.go.j2 declares the other half.
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

// ReportHookPanic is called by spliced code when a hook panics. The panic
// never reaches the user's program; it is reported once per hook on stderr.
// It never panics itself: it runs in the trampoline's deferred recover.
func ReportHookPanic(site string, recovered any) {
	defer func() { _ = recover() }() // a recovered value whose String or Error panics
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

// Enabled reports whether the hooks of hookPackage (an import path) are to
// run in this process. Spliced code asks once per hook package, while the
// instrumented package initialises, and tests a bool before each hooked
// call; off, a hooked call costs that test. The switches:
//
//	OTEL_SDK_DISABLED=true                  all hooks off (and no SDK)
//	OTELGO_DISABLED_INSTRUMENTATIONS=a,b    the hooks of hook packages a and b
//	                                        off: import paths, their last
//	                                        element (nethttp, databasesql) or
//	                                        a library's folder under rules/
//	                                        (goredis: v9 and v8)
//	OTELGO_SPANS_DISABLED=true              //otel:span comments and span rules off
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
	if hookPackage == "otelgo.dev/rules/annotate" && isTrue(getenv("OTELGO_SPANS_DISABLED")) {
		return false
	}
	last := hookPackage[strings.LastIndex(hookPackage, "/")+1:]
	for _, name := range strings.Split(getenv("OTELGO_DISABLED_INSTRUMENTATIONS"), ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		// A library's folder names all of its hook packages: goredis
		// switches off otelgo.dev/rules/goredis/goredisv8 too.
		if name == hookPackage || name == last || strings.HasPrefix(hookPackage, rulesPrefix+name+"/") {
			return false
		}
	}
	return true
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
