package gomemcache

import (
	"errors"
	"fmt"
	"testing"

	"github.com/bradfitz/gomemcache/memcache"

	"otelgo.dev/rules/internal/calltest"
)

func TestServerFollowsTheSelector(t *testing.T) {
	c := memcache.New("127.0.0.1:11211", "127.0.0.1:11212")
	NewOnExit(&calltest.Call{Params: []any{[]string{"127.0.0.1:11211", "127.0.0.1:11212"}}}, c)
	ss := new(memcache.ServerList)
	if err := ss.SetServers("127.0.0.1:11211", "127.0.0.1:11212"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		key := fmt.Sprintf("k%d", i)
		want, _ := ss.PickServer(key)
		if got := server(c, []string{key}); got == nil || got.String() != want.String() {
			t.Errorf("%s: got %v, want %v", key, got, want)
		}
	}
	if got := server(c, nil); got != nil {
		t.Errorf("a command to every server of two has no address: %v", got)
	}
	one := memcache.New("127.0.0.1:11211")
	NewOnExit(&calltest.Call{Params: []any{[]string{"127.0.0.1:11211"}}}, one)
	if got := server(one, nil); got == nil || got.String() != "127.0.0.1:11211" {
		t.Errorf("one server: %v", got)
	}
	if got := server(memcache.New("x:1"), []string{"k"}); got != nil {
		t.Errorf("a client made before the hooks: %v", got)
	}
}

func TestErrorType(t *testing.T) {
	if got := errorType(fmt.Errorf("add: %w", memcache.ErrNotStored)).Value.AsString(); got != "memcache.ErrNotStored" {
		t.Errorf("got %q", got)
	}
	if got := errorType(errors.New("boom")).Value.AsString(); got != "*errors.errorString" {
		t.Errorf("got %q", got)
	}
}

func TestKeyText(t *testing.T) {
	if got := keyText("set", "user:1", 1); got != "set user:1 ?" {
		t.Errorf("got %q", got)
	}
}
