// Package api calls fetch's wrappers from code that has a context to give them.
package api

import (
	"context"
	"database/sql"
	"net/http"
	"time"

	"fixture/fetch"
)

func Handle(w http.ResponseWriter, r *http.Request) {
	resp, err := fetch.Page("http://upstream/") // want `CG202 fetch.Page calls http.Get without a context \(fetch.go:14\): give it a context parameter, pass r.Context\(\)`
	if err == nil {
		resp.Body.Close()
	}
	_, _ = fetch.Cached("http://upstream/")     // want `CG202 fetch.Cached calls http.Get without a context through fetch.Page \(fetch.go:14\)`
	_, _ = fetch.NewRequest("http://upstream/") // ok: the caller can still add the context
	_ = fetch.Cmd("true")                       // ok: built, not run
	_, _ = fetch.Listen("127.0.0.1:0")          // ok: nothing to wait for
	fetch.Later("http://upstream/")             // ok: runs in a goroutine of its own
}

func Count(ctx context.Context, db *sql.DB) error {
	rows, err := fetch.Rows(db) // ok: database/sql is followed through helpers only under relay-packages
	if err != nil {
		return err
	}
	defer rows.Close()
	defer fetch.Page("http://audit/")      // ok: deferred
	_ = fetch.Dialer("upstream:443")       // ok: the dial runs later, in a function of its own
	fetch.Maybe("http://upstream/", false) // ok: only in a branch
	return nil
}

// Local's innermost context is one it derived and already cancelled: nothing worth passing on.
func Local(parent context.Context) {
	ctx, cancel := context.WithTimeout(parent, time.Second)
	cancel()
	_ = ctx
	_, _ = fetch.Page("http://upstream/") // ok: the context at hand is spent
}

// Startup has no context to pass: the wrapper is the caller's to fix, not this call.
func Startup() {
	_, _ = fetch.Page("http://upstream/") // ok
}
