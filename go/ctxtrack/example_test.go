package ctxtrack_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"ctxguard.dev/go/ctxtrack"
)

// WithTimeout is used exactly like context.WithTimeout; the derivation is
// counted at the line that made it.
func ExampleWithTimeout() {
	ctx, cancel := ctxtrack.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()

	select {
	case <-ctx.Done():
		fmt.Println(ctx.Err())
	case <-time.After(time.Second):
		fmt.Println("too slow")
	}
	// Output: context deadline exceeded
}

// A Tracker of its own counts the derivations made through it.
func ExampleTracker_Report() {
	tr := ctxtrack.New(ctxtrack.Options{MaxAge: time.Millisecond})
	parent, stop := context.WithCancel(context.Background())
	defer stop()

	_, cancel := tr.WithCancel(parent) // forgotten: never called
	time.Sleep(2 * time.Millisecond)

	s := tr.Report().Sites[0]
	fmt.Println(s.Kind, "created", s.Created, "live", s.Live, "over max age", s.OverMaxAge)
	cancel()
	s = tr.Report().Sites[0]
	fmt.Println(s.Kind, "created", s.Created, "live", s.Live, "cancelled", s.Cancelled)
	// Output:
	// WithCancel created 1 live 1 over max age 1
	// WithCancel created 1 live 0 cancelled 1
}

// Services mount the handler at Path, beside net/http/pprof.
func ExampleHandler() {
	mux := http.NewServeMux()
	mux.Handle(ctxtrack.Path, ctxtrack.Handler())

	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, ctxtrack.Path, nil))
	var r ctxtrack.Report
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
		fmt.Println(err)
	}
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"), "version", r.Version)
	// Output: 200 application/json version 1
}

// Sample a share of derivations in a busy service; counts are unscaled.
func ExampleConfigure() {
	ctxtrack.Configure(ctxtrack.Options{SampleRate: 0.01, MaxAge: 5 * time.Minute})
	defer ctxtrack.Configure(ctxtrack.Options{})
	fmt.Println(ctxtrack.Default.Report().SampleRate)
	// Output: 0.01
}
