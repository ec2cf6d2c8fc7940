// Package hooks holds the hooks that rules.json attaches to package lib. They
// print what they see so that the test can check every CallContext feature.
package hooks

import (
	"fmt"

	"example.com/tricky/lib"
	"otelgo.dev/rules/api"
)

func log(format string, args ...any) { fmt.Printf("hook: "+format+"\n", args...) }

func MapEnter(call api.CallContext, xs any, f any) {
	log("Map enter %s.%s xs=%v", call.PackagePath(), call.FuncName(), xs)
}
func MapExit(call api.CallContext, out []string) { log("Map exit %v", out) }

func PushEnter(call api.CallContext, recv any, v any) {
	call.SetData(fmt.Sprintf("pushed %v", v))
	log("Push enter v=%v", v)
}
func PushExit(call api.CallContext, n int) { log("Push exit n=%d data=%v", n, call.Data()) }

func ScaleEnter(call api.CallContext, p lib.Point, k int) {
	log("Scale enter recv=%v k=%d", p, k)
	call.SetParam(0, k*10)
}
func ScaleExit(call api.CallContext, p lib.Point) { log("Scale exit %v", p) }

func UnnamedEnter(call api.CallContext, a int, b string) { log("Unnamed enter %d %q", a, b) }
func UnnamedExit(call api.CallContext, s string)         { call.SetResult(0, s+"!") }

func BlankEnter(call api.CallContext, a int, s string, b bool) { log("Blank enter %d %q %v", a, s, b) }
func BlankExit(call api.CallContext, s string, err error)      { log("Blank exit %q %v", s, err) }

func SumEnter(call api.CallContext, base int, xs []int) {
	log("Sum enter base=%d xs=%v", base, xs)
	call.SetParam(1, append(xs, 100))
}
func SumExit(call api.CallContext, n int) { log("Sum exit %d", n) }

func DivExit(call api.CallContext, q, r int, err error) {
	log("Div exit q=%d r=%d err=%v result2=%v", q, r, err, call.Result(2))
}

func TwiceFirst(call api.CallContext, s string)  { log("Twice first %q", s) }
func TwiceSecond(call api.CallContext, s string) { log("Twice second %q", s) }
func TwiceExit(call api.CallContext, s string)   { log("Twice exit %q", s) }

func ExpensiveEnter(call api.CallContext, n int) {
	call.SetResult(0, n*n)
	call.SkipCall()
}
func ExpensiveExit(call api.CallContext, n int) { log("Expensive exit %d", n) }

func FragileEnter(call api.CallContext, n int) { panic("fragile hook") }
func FragileExit(call api.CallContext, n int) {
	log("Fragile exit must not run after its OnEnter panicked")
}

func GreetEnter(call api.CallContext, name string) {
	call.SetParam(0, name+" (via hook)")
}

func CrashEnter(call api.CallContext) { log("Crash enter") }
