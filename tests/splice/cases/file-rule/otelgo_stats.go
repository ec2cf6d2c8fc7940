// Added to package cache by a file rule of file-rule/rules.json.

package cache

import "sync"

// otelgoStats counts the calls of (*Cache).Get.
var otelgoStats struct {
	sync.Mutex
	gets int
}

func otelgoCount() {
	otelgoStats.Lock()
	otelgoStats.gets++
	otelgoStats.Unlock()
}
