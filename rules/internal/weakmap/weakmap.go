// Package weakmap keeps a value per pointer for as long as the pointer's
// target is reachable, without keeping it reachable.
package weakmap

import (
	"runtime"
	"sync"
	"weak"
)

// Map keeps a value per *K for as long as the *K is reachable,
// without keeping it reachable: a *sql.DB, *sql.Stmt or *sql.Tx the program
// drops takes its entry with it.
type Map[K, V any] struct {
	mu sync.RWMutex
	m  map[weak.Pointer[K]]V
}

func (w *Map[K, V]) Store(k *K, v V) {
	if k == nil {
		return
	}
	wp := weak.Make(k)
	w.mu.Lock()
	if w.m == nil {
		w.m = make(map[weak.Pointer[K]]V)
	}
	_, had := w.m[wp]
	w.m[wp] = v
	w.mu.Unlock()
	if !had {
		runtime.AddCleanup(k, w.forget, wp)
	}
}

func (w *Map[K, V]) forget(wp weak.Pointer[K]) {
	w.mu.Lock()
	delete(w.m, wp)
	w.mu.Unlock()
}

func (w *Map[K, V]) Load(k *K) (V, bool) {
	var zero V
	if k == nil {
		return zero, false
	}
	wp := weak.Make(k)
	w.mu.RLock()
	v, ok := w.m[wp]
	w.mu.RUnlock()
	return v, ok
}

func (w *Map[K, V]) Remove(k *K) {
	if k == nil {
		return
	}
	w.forget(weak.Make(k))
}

func (w *Map[K, V]) Len() int {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return len(w.m)
}
