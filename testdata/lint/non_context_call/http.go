package noncontextcall

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

// A handler calls downstreams without the request's context.
func handler(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id") // ok: url.Values.Get is no HTTP call
	q := r.URL.Query()
	_ = q.Get("name")                             // ok: url.Values again, through a variable
	resp, err := http.Get("http://pricing/" + id) // want `CG202 http\.Get has no context: use http\.NewRequestWithContext\(r\.Context\(\), \.\.\.\) and a client's Do`
	if err != nil {
		return
	}
	defer resp.Body.Close()
	req, err := http.NewRequest(http.MethodGet, "http://stock/"+id, nil) // want `CG202 http\.NewRequest has no context: use http\.NewRequestWithContext\(r\.Context\(\), \.\.\.\)`
	if err != nil {
		return
	}
	_, _ = http.DefaultClient.Do(req)
	_, _ = io.Copy(w, resp.Body)
}

// Methods of *http.Client, the client a parameter, a field or the default one.
func fetchAll(ctx context.Context, c *http.Client, a *api) {
	_, _ = c.Get("http://a")                                            // want `CG202 \(\*http\.Client\)\.Get has no context: use http\.NewRequestWithContext\(ctx, \.\.\.\) and c\.Do`
	_, _ = a.client.Head("http://b")                                    // want `CG202 \(\*http\.Client\)\.Head has no context: use http\.NewRequestWithContext\(ctx, \.\.\.\) and a\.client\.Do`
	_, _ = http.DefaultClient.Post("http://c", "text/plain", nil)       // want `CG202 \(\*http\.Client\)\.Post has no context`
	_, _ = (&http.Client{}).PostForm("http://d", nil)                   // want `CG202 \(\*http\.Client\)\.PostForm has no context: use http\.NewRequestWithContext\(ctx, \.\.\.\) and \(&http\.Client\{\}\)\.Do`
	_, _ = http.Head("http://e")                                        // want `CG202 http\.Head has no context`
	_, _ = http.PostForm("http://f", nil)                               // want `CG202 http\.PostForm has no context`
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "/", nil) // ok: already carries ctx
	_, _ = c.Do(req)                                                    // ok: Do has no twin
}

type api struct {
	client *http.Client
	req    *http.Request
}

// ok cases: the request gets its context later, or is handed over with one.
func attachLater(ctx context.Context, c *http.Client) error {
	req, err := http.NewRequest(http.MethodGet, "http://a", nil) // ok: req.WithContext(ctx) below
	if err != nil {
		return err
	}
	req = req.WithContext(ctx)
	_, err = c.Do(req)
	return err
}

func (a *api) cached(ctx context.Context) error {
	if a.req == nil {
		req, err := http.NewRequest(http.MethodGet, "http://a", http.NoBody) // ok: stored, then a.req.WithContext(ctx)
		if err != nil {
			return err
		}
		a.req = req
	}
	_, err := a.client.Do(a.req.WithContext(ctx))
	return err
}

// Stored, then handed over together with a context.
func (a *api) cachedHandOver(ctx context.Context) error {
	if a.req == nil {
		req, err := http.NewRequest(http.MethodGet, "http://a", http.NoBody) // ok: stored, then do(ctx, a.client, a.req)
		if err != nil {
			return err
		}
		a.req = req
	}
	return do(ctx, a.client, a.req)
}

// Stored, then sent with no context at all.
func (a *api) cachedBare(ctx context.Context) error {
	if a.req == nil {
		req, err := http.NewRequest(http.MethodGet, "http://a", http.NoBody) // want `CG202 http\.NewRequest has no context`
		if err != nil {
			return err
		}
		a.req = req
	}
	_, err := a.client.Do(a.req)
	return err
}

// Another variable of the same name handed over with a context says nothing of this request.
func (a *api) sameNameElsewhere(ctx context.Context, viaQueue bool) error {
	if viaQueue {
		req := struct{ body string }{"x"}
		return enqueue(ctx, req)
	}
	req, err := http.NewRequest(http.MethodGet, "http://a", http.NoBody) // want `CG202 http\.NewRequest has no context`
	if err != nil {
		return err
	}
	_, err = a.client.Do(req)
	return err
}

func enqueue(ctx context.Context, v any) error { _ = v; return ctx.Err() }

func handOver(ctx context.Context, c *http.Client) error {
	req, err := http.NewRequest(http.MethodPost, "http://a", strings.NewReader("x")) // ok: do(ctx, c, req) attaches ctx
	if err != nil {
		return err
	}
	return do(ctx, c, req)
}

func do(ctx context.Context, c *http.Client, req *http.Request) error {
	_, err := c.Do(req.WithContext(ctx))
	return err
}

// No context at hand: nothing to pass.
func noContext() {
	_, _ = http.Get("http://a") // ok: no context in scope
}

// A test's context is not reported: test code runs under the test's deadline.
func helperForTests(t *testing.T) {
	_, _ = http.Get("http://a") // ok: only t.Context() at hand
	ctx := t.Context()
	_, _ = http.Get("http://b") // ok: ctx comes from the test
	_ = ctx
}

// A request variable that is not this function's own request is no context source.
func captured(c *http.Client) {
	var last *http.Request
	c.Transport = roundTrip(func(r *http.Request) { last = r })
	_, _ = http.Get("http://a") // ok: last is a captured request, not ours
	_ = last
}

type roundTrip func(*http.Request)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) {
	f(r)
	return nil, http.ErrNotSupported
}

// Package-level initialisers have no context.
var warmup = func() error {
	_, err := http.Get("http://a") // ok: no context at hand
	return err
}
