package nilcontext

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"runtime/pprof"
	"runtime/trace"
	"time"
)

type userKey struct{}

// context.With* panic on a nil parent.
func deriveFromNil() {
	ctx, cancel := context.WithCancel(nil) // want `CG204 nil passed as the context of context\.WithCancel`
	defer cancel()
	_ = ctx
}

func timeoutFromNil() {
	ctx, cancel := context.WithTimeout(nil, time.Second) // want `CG204 nil passed as the context of context\.WithTimeout: .*context\.TODO\(\)`
	defer cancel()
	_ = ctx
}

func valueFromNil() context.Context {
	return context.WithValue(nil, userKey{}, "bob") // want `CG204 nil passed as the context of context\.WithValue`
}

func detachNil() context.Context {
	return context.WithoutCancel(nil) // want `CG204 .*context\.WithoutCancel`
}

func afterNil() {
	stop := context.AfterFunc(nil, func() {}) // want `CG204 .*context\.AfterFunc`
	stop()
}

// The remedy names the context in scope.
func requestWithNil(ctx context.Context, url string) (*http.Request, error) {
	return http.NewRequestWithContext(nil, http.MethodGet, url, nil) // want `CG204 nil passed as the context of http\.NewRequestWithContext: .*; pass ctx$`
}

func handler(w http.ResponseWriter, r *http.Request) {
	cmd := exec.CommandContext(nil, "true") // want `CG204 .*exec\.CommandContext: .*pass r\.Context\(\)`
	_ = cmd.Run()
}

func notifyNil() {
	ctx, stop := signal.NotifyContext(nil, os.Interrupt) // want `CG204 .*signal\.NotifyContext`
	defer stop()
	<-ctx.Done()
}

func traced() {
	ctx, task := trace.NewTask(nil, "work") // want `CG204 .*trace\.NewTask`
	defer task.End()
	pprof.Do(nil, pprof.Labels("k", "v"), func(context.Context) {}) // want `CG204 .*pprof\.Do`
	_ = ctx
}

// Multi-line call: nil on its own line.
func multiline(url string) (*http.Request, error) {
	return http.NewRequestWithContext(
		nil, // want `CG204 .*http\.NewRequestWithContext`
		http.MethodGet, url, nil,
	)
}

// ok: nil body is not the first parameter.
func okNilBody(ctx context.Context, url string) (*http.Request, error) {
	return http.NewRequestWithContext(ctx, http.MethodPost, url, nil) // ok: nil is the body
}

// ok: functions whose first parameter is not a context.
func okOtherFirstParams() error {
	var v map[string]any
	_ = json.Unmarshal(nil, &v)         // ok: []byte parameter
	if errors.Is(nil, os.ErrNotExist) { // ok: error parameter
		return nil
	}
	_, err := http.NewRequest(http.MethodGet, "http://x", nil) // ok: no context parameter
	return err
}

// ok: a real context.
func okTODO() context.Context {
	return context.WithValue(context.TODO(), userKey{}, 1) // ok: TODO, not nil
}

// ok: nil in a string or a comment does not count.
func okText() string {
	// context.WithCancel(nil) in a comment
	return "context.WithCancel(nil)" // ok: inside a string
}

// ok: a comparison, not an argument.
func okCompare(ctx context.Context) bool {
	return ctx == (nil) // ok: not a call
}
