package httproute

import (
	"net/http"
	"reflect"
	"sync"
	"sync/atomic"
)

// Nested is the routing of the requests of a router that routes each
// request once per router it goes through (chi: a router mounted in
// another routes the rest of the path), each router that finds a route
// adding its pattern to the request's routing state: the request is routed
// when every one of them did, and its route is complete once the outermost
// routing call returns. The zero Nested is ready to use.
type Nested struct {
	active sync.Map // the routing state of each request being routed -> *Nesting
}

// Patterns is the routing state of one request, which every router it
// goes through shares.
type Patterns interface {
	Routed() int   // how many patterns the routers have routed so far
	Route() string // the route they make together
}

// Nesting is the routing of one request, from its outermost routing call
// to the return of that call.
type Nesting struct {
	req     *http.Request
	key     any
	state   Patterns
	base    int
	entered atomic.Int32
}

// Enter is called when a router starts routing req, whose routing state is
// state (key: the state itself, comparable). It returns the Nesting to
// hand Exit when the call is the outermost for the request, else nil.
func (n *Nested) Enter(req *http.Request, key any, state Patterns) *Nesting {
	if v, ok := n.active.Load(key); ok {
		v.(*Nesting).entered.Add(1)
		return nil
	}
	st := &Nesting{req: req, key: key, state: state, base: state.Routed()}
	st.entered.Store(1)
	n.active.Store(key, st)
	return st
}

// Exit is called when the outermost routing call of a request returns
// (also when a handler panics): the request gets its route (Set) when every
// router it went through routed a pattern, else it is Unrouted.
func (n *Nested) Exit(st *Nesting) {
	n.active.Delete(st.key)
	if st.state.Routed()-st.base == int(st.entered.Load()) {
		Set(st.req, st.state.Route())
	} else {
		Unrouted(st.req)
	}
}

// Routing reports whether the request whose routing state is key is being
// routed.
func (n *Nested) Routing(key any) bool {
	_, ok := n.active.Load(key)
	return ok
}

// SetHandled gives req the route template route (Set), unless the handler
// the router chose for it (a func) is nil or one of noRoute, the router's
// handlers for requests it found no route for (404, 405), compared by their
// code: the request is then Unrouted.
func SetHandled(req *http.Request, route string, handler any, noRoute ...any) {
	if isNoRoute(handler, noRoute) {
		Unrouted(req)
		return
	}
	Set(req, route)
}

func isNoRoute(handler any, noRoute []any) bool {
	h := reflect.ValueOf(handler)
	if h.Kind() != reflect.Func || h.IsNil() {
		return true
	}
	p := h.Pointer()
	for _, n := range noRoute {
		if f := reflect.ValueOf(n); f.Kind() == reflect.Func && f.Pointer() == p {
			return true
		}
	}
	return false
}
