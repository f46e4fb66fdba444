package backgroundinscope

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/containerd/log"
	"github.com/go-logr/logr"
	"github.com/rs/zerolog"
	"github.com/sirupsen/logrus"
	"go.opentelemetry.io/otel/trace"
	"k8s.io/klog/v2"
)

// logged holds an slog logger.
type logged struct {
	logger *slog.Logger
	level  slog.Level
}

// auditor's Log does real work with its context.
type auditor struct{}

func (auditor) Log(ctx context.Context, ev string) { _ = query(ctx, ev) }

// A fresh context handed only to a logger or span lookup: the caller's would change the
// fields logged, never when anything stops.
func logOnly(ctx context.Context, id string) error {
	log.G(context.TODO()).Debugf("fetching %s", id)            // ok: containerd's log.G
	log.L.WithContext(context.Background()).Info("fetching")   // ok: containerd's log.L
	logrus.WithContext(context.TODO()).Warn("fetching")        // ok: logrus
	zerolog.Ctx(context.Background()).Print("fetching")        // ok: zerolog
	logr.FromContextOrDiscard(context.TODO()).Info("fetching") // ok: logr
	klog.FromContext(context.Background()).V(2).Info("fetch")  // ok: klog
	trace.SpanFromContext(context.TODO()).AddEvent("fetch")    // ok: an OpenTelemetry span lookup
	slog.InfoContext(context.Background(), "fetch", "id", id)  // ok: slog's *Context functions
	return query(ctx, id)
}

// slog's methods.
func (s *logged) serve(w http.ResponseWriter, r *http.Request) {
	s.logger.WarnContext(context.TODO(), "slow", "path", r.URL.Path)  // ok: a *Context log method
	s.logger.LogAttrs(context.Background(), slog.LevelInfo, "served") // ok: LogAttrs with a slog level
	s.logger.Log(context.TODO(), s.level, "served")                   // ok: Log on a proven *slog.Logger
	w.WriteHeader(http.StatusOK)
}

// A variable whose every read is a lookup.
func logVar(ctx context.Context) error {
	lctx := context.TODO() // ok: only loggers read lctx
	log.G(lctx).Info("a")
	slog.DebugContext(lctx, "b")
	return query(ctx, "x")
}

// The same variable also reaching real work is reported.
func logAndWork(ctx context.Context) error {
	lctx := context.TODO() // want `use ctx$`
	log.G(lctx).Info("a")
	return query(lctx, "x")
}

// A method named Log on another type is no logger lookup.
func audited(ctx context.Context, a auditor) {
	a.Log(context.Background(), "ev") // want `use ctx$`
}

// Request.WithContext is no logger either.
func detachRequest(r *http.Request) *http.Request {
	return r.WithContext(context.Background()) // want `use r\.Context\(\)$`
}
