// Command stockcheck checks stock levels and logs what it finds as JSON
// lines on stdout, through log/slog and through the standard log package.
package main

import (
	"context"
	"log"
	"log/slog"
	"os"
)

var stock = map[string]int{"apple": 2, "pear": 14, "plum": 0}

func main() {
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stdout, nil)))
	slog.Info("checking stock", "items", len(stock))

	logger := slog.Default().With("component", "checker")
	for _, item := range []string{"apple", "pear", "plum"} {
		switch n := stock[item]; {
		case n == 0:
			logger.Error("out of stock", "item", item)
		case n < 5:
			logger.Warn("low stock", "item", item, "count", n)
		}
	}

	slog.LogAttrs(context.Background(), slog.LevelInfo, "reorder sent", slog.String("supplier", "acme"))
	log.Printf("done: %d items checked", len(stock)) // through slog's default handler
}
