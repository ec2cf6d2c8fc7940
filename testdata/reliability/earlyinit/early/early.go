// Package early logs while it is initialised. Its import path sorts before
// otelgo's hook packages, so the go command initialises it first: the hooks
// on these loggers run before their own packages are initialised.
package early

import (
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/go-logr/stdr"
	"github.com/rs/zerolog"
	"github.com/sirupsen/logrus"
	"go.uber.org/zap"
	"k8s.io/klog/v2"
)

// Logger is made while the package is initialised, as many programs make
// theirs.
var Logger = zap.NewExample()

func init() {
	log.Println("early log")
	slog.Info("early slog")
	logrus.Info("early logrus")
	Logger.Info("early zap")
	zl := zerolog.New(os.Stderr)
	zl.Info().Msg("early zerolog")
	klog.Info("early klog")
	stdr.New(log.Default()).Info("early logr")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	if resp, err := http.Get(srv.URL); err == nil {
		resp.Body.Close()
	}
}
