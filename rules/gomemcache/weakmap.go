package gomemcache

import (
	"runtime"
	"sync"
	"weak"
)

// weakMap keeps a value per *K for as long as the *K is reachable,
// without keeping it reachable: a *memcache.Client the program
// drops takes its entry with it.
type weakMap[K, V any] struct {
	mu sync.RWMutex
	m  map[weak.Pointer[K]]V
}

func (w *weakMap[K, V]) store(k *K, v V) {
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

func (w *weakMap[K, V]) forget(wp weak.Pointer[K]) {
	w.mu.Lock()
	delete(w.m, wp)
	w.mu.Unlock()
}

func (w *weakMap[K, V]) load(k *K) (V, bool) {
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
