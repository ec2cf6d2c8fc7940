package sdk

import (
	"os"
	"os/signal"
	"sync"

	"otelgo.dev/rules/api"
)

// The SDK is flushed when the program is ended by a terminating signal
// (SIGINT, SIGTERM) that the program itself does not handle: the signal is
// then delivered again with its default action, so the process still dies
// of it (same exit status as without otelgo).
//
// Whether the program handles a signal is learnt from its calls of
// signal.Notify and signal.Stop (rules in sdk.json). For a signal the
// program handles, the handler here does nothing: the program decides when
// to end, and main returning or os.Exit flush the SDK.

// sigState is the signal bookkeeping; the zero value is ready, since the
// Notify hook may run before this package's init (from another package's
// init).
var sigState struct {
	mu   sync.Mutex
	own  chan os.Signal                     // the SDK's own channel, nil if none
	user map[chan<- os.Signal]*registration // the program's channels
}

// registration is what a channel of the program was registered for.
type registration struct {
	all     bool // signal.Notify(c) with no signals: every signal
	signals map[os.Signal]struct{}
}

// startSignalHandler catches the terminating signals, except those the
// program was started with ignored (signal.Notify would un-ignore them,
// e.g. SIGINT for a background job of a shell).
func startSignalHandler() {
	var catch []os.Signal
	for _, s := range terminatingSignals {
		if !signal.Ignored(s) {
			catch = append(catch, s)
		}
	}
	if len(catch) == 0 {
		return
	}
	ch := make(chan os.Signal, 1)
	sigState.mu.Lock()
	sigState.own = ch
	sigState.mu.Unlock()
	signal.Notify(ch, catch...)
	go handleSignals(ch)
}

func handleSignals(ch <-chan os.Signal) {
	for s := range ch {
		if programHandles(s) {
			continue
		}
		// Default action from now on: the same signal again while the SDK
		// flushes (a second Ctrl-C) ends the program at once.
		signal.Reset(s)
		Shutdown()
		reraise(s)
	}
}

// programHandles reports whether a channel of the program is registered
// for s.
func programHandles(s os.Signal) bool {
	sigState.mu.Lock()
	defer sigState.mu.Unlock()
	for _, r := range sigState.user {
		if r.all {
			return true
		}
		if _, ok := r.signals[s]; ok {
			return true
		}
	}
	return false
}

// NotifyOnEnter is the OnEnter hook of
//
//	func Notify(c chan<- os.Signal, sig ...os.Signal)
//
// in os/signal (signal.NotifyContext calls it too). It records that the
// program handles sig (every signal if sig is empty).
func NotifyOnEnter(_ api.CallContext, c chan<- os.Signal, sig []os.Signal) {
	if c == nil {
		return // Notify panics
	}
	sigState.mu.Lock()
	defer sigState.mu.Unlock()
	if sigState.own != nil && c == sigState.own {
		return
	}
	if sigState.user == nil {
		sigState.user = make(map[chan<- os.Signal]*registration)
	}
	r := sigState.user[c]
	if r == nil {
		r = &registration{signals: make(map[os.Signal]struct{})}
		sigState.user[c] = r
	}
	if len(sig) == 0 {
		r.all = true
	}
	for _, s := range sig {
		r.signals[s] = struct{}{}
	}
}

// StopOnEnter is the OnEnter hook of
//
//	func Stop(c chan<- os.Signal)
//
// in os/signal; StopOnExit forgets c once Stop has returned (from then on c
// receives nothing), so the program never loses a signal it still handles.
func StopOnEnter(call api.CallContext, c chan<- os.Signal) {
	if c != nil {
		call.SetData(c)
	}
}

// StopOnExit is the OnExit hook of signal.Stop.
func StopOnExit(call api.CallContext) {
	c, _ := call.Data().(chan<- os.Signal)
	if c == nil {
		return
	}
	sigState.mu.Lock()
	defer sigState.mu.Unlock()
	delete(sigState.user, c)
}
