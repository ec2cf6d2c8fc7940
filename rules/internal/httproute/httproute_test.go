package httproute

import (
	"context"
	"net/http/httptest"
	"testing"
)

func TestTheLastRouterToDecideWins(t *testing.T) {
	ctx, h := WithHolder(context.Background())
	req := httptest.NewRequest("GET", "/users/42", nil).WithContext(ctx)
	if h.Route() != "" || h.Unrouted() {
		t.Fatalf("undecided: got %q, unrouted %v", h.Route(), h.Unrouted())
	}
	Set(req, "/users/{id}")
	if h.Route() != "/users/{id}" || h.Unrouted() {
		t.Fatalf("routed: got %q, unrouted %v", h.Route(), h.Unrouted())
	}
	Unrouted(req) // an inner router matched nothing
	if h.Route() != "" || !h.Unrouted() {
		t.Fatalf("unrouted: got %q, unrouted %v", h.Route(), h.Unrouted())
	}
	Set(req, "") // no route given: nothing changes
	if !h.Unrouted() {
		t.Fatal("Set with no route undid Unrouted")
	}
	Set(req, "/users/:id")
	if h.Route() != "/users/:id" || h.Unrouted() {
		t.Fatalf("routed again: got %q, unrouted %v", h.Route(), h.Unrouted())
	}
	// A request without a holder (not served by net/http's hooks) is left alone.
	Unrouted(httptest.NewRequest("GET", "/", nil))
	Unrouted(nil)
}

func TestSetAllocatesNoRouteOrName(t *testing.T) {
	ctx, h := WithHolder(context.Background())
	req := httptest.NewRequest("GET", "/users/42", nil).WithContext(ctx)
	Set(req, "/users/{id}")
	if n := testing.AllocsPerRun(100, func() { Set(req, "/users/{id}") }); n != 0 {
		t.Errorf("Set allocates %v objects per call once the route is known, want 0", n)
	}
	if got := named("GET", "/users/{id}"); got.name != "GET /users/{id}" || h.Route() != "/users/{id}" {
		t.Errorf("name %q, route %q", got.name, h.Route())
	}
}

func TestNoteLeavesTheNameToTheSpansEndAndStripPrefixComesBack(t *testing.T) {
	ctx, h := WithHolder(context.Background())
	req := httptest.NewRequest("GET", "/api/v1/things", nil).WithContext(ctx)
	Note(req, "/api/") // the outer ServeMux
	if h.Route() != "/api/" || h.Named() || h.Unrouted() {
		t.Fatalf("noted: got %q, named %v, unrouted %v", h.Route(), h.Named(), h.Unrouted())
	}
	StripPrefix(req, "/api")
	StripPrefix(req, "/v1/") // nested: the prefixes add up
	Note(req, "/things")
	if h.Route() != "/api/v1/things" {
		t.Fatalf("behind StripPrefix: got %q", h.Route())
	}
	Unrouted(req) // an inner router matched nothing
	if h.Route() != "" || !h.Unrouted() || h.Named() {
		t.Fatalf("unrouted: got %q, unrouted %v, named %v", h.Route(), h.Unrouted(), h.Named())
	}
	Note(nil, "/x")
	StripPrefix(httptest.NewRequest("GET", "/", nil), "/api") // no holder: left alone
}
