//go:build !nologrus

package main

import (
	"context"
	"os"

	"github.com/sirupsen/logrus"
	"go.opentelemetry.io/contrib/bridges/otellogrus"
)

func logrusLoggers() loggers {
	var ls loggers
	// logrus: the bridge's hook.
	ownLogrus := logrus.New()
	ownLogrus.SetOutput(os.Stdout)
	ownLogrus.SetFormatter(&logrus.JSONFormatter{DisableTimestamp: true})
	ownLogrus.AddHook(otellogrus.NewHook("app/logrus"))
	ls = append(ls, func(ctx context.Context) { ownLogrus.WithContext(ctx).WithField("k", "v").Info("logrus-bridge") })
	ls = append(ls, func(context.Context) { ownLogrus.WithField("k", "v").Warn("logrus-bridge-noctx") })
	// logrus without a bridge.
	plainLogrus := logrus.New()
	plainLogrus.SetOutput(os.Stdout)
	plainLogrus.SetFormatter(&logrus.JSONFormatter{DisableTimestamp: true})
	ls = append(ls, func(ctx context.Context) { plainLogrus.WithContext(ctx).WithField("k", "v").Info("logrus-plain") })
	return ls
}
