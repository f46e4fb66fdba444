package noncontextcall

import (
	"context"
	"database/sql"
	"net/http"
	"time"
)

type rootKey struct{}

// The only context at hand is a local root: it is never done, passing it would change nothing.
func localValues(db *sql.DB) error {
	ctx := context.WithValue(context.TODO(), rootKey{}, "v")
	_, err := db.Exec("DELETE FROM t") // ok: ctx is a Background() with values: never done
	_ = ctx
	return err
}

func typedLocalRoot(c *http.Client) error {
	var ctx context.Context = context.Background()
	_, err := c.Get("http://a") // ok: only a local Background() is in scope
	_ = ctx
	return err
}

// A deadline on a local root does bound the call.
func localDeadline(c *http.Client) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err := c.Get("http://a") // want `CG202 \(\*http\.Client\)\.Get has no context: use http\.NewRequestWithContext\(ctx, \.\.\.\) and c\.Do$`
	_ = ctx
	return err
}

// A local root declared after the caller's context is looked past.
func handlerRoot(w http.ResponseWriter, r *http.Request) {
	bg := context.Background()
	_ = bg
	resp, err := http.Get("http://a") // want `CG202 http\.Get has no context: use http\.NewRequestWithContext\(r\.Context\(\), \.\.\.\)`
	if err == nil {
		_ = resp.Body.Close()
	}
	w.WriteHeader(http.StatusOK)
}

// Twins that ignore their context: passing one would change nothing.
func Lookup(key string) string { return key }

func LookupContext(_ context.Context, key string) string { return Lookup(key) }

type Index struct{}

func (x *Index) Find(key string) string { return key }

func (x *Index) FindContext(ctx context.Context, key string) string { return x.Find(key) }

func useIgnoringTwins(ctx context.Context, x *Index) {
	_ = Lookup("k") // ok: LookupContext's context is _
	_ = x.Find("k") // want `CG202 \(\*Index\)\.Find has no context: use FindContext\(ctx, \.\.\.\)`
}

// Calls through a local variable holding the function.
func viaVariable(ctx context.Context, c *http.Client, db *sql.DB) {
	get := http.Get
	_, _ = get("http://a") // want `CG202 http\.Get \(called as get\) has no context: use http\.NewRequestWithContext\(ctx, \.\.\.\)`
	fetch := c.Get
	_, _ = fetch("http://b") // want `CG202 \(\*http\.Client\)\.Get \(called as fetch\) has no context`
	run := db.Exec
	_, _ = run("DELETE FROM t") // want `CG202 \(\*sql\.DB\)\.Exec \(called as run\) has no context: use ExecContext\(ctx, \.\.\.\)$`
	do := c.Do
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://c", nil)
	_, _ = do(req) // ok: Do has no twin
}

// A variable that is re-assigned may hold anything.
func reassigned(ctx context.Context, c *http.Client) {
	get := http.Get
	get = c.Get
	_, _ = get("http://a") // ok: get is re-assigned
	_ = ctx
}
