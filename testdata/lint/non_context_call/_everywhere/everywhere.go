// Package everywhere holds fixtures for CG202 with report-everywhere = ["*"] (tests/test_rule_tiers.py):
// every want here is reported only with that option; without it this package is clean.
package everywhere

import (
	"context"
	"database/sql"
	"net"
	"net/http"
	"os/exec"
	"testing"
)

// No context anywhere.
func noContext(c *http.Client, db *sql.DB) {
	_, _ = http.Get("http://a")                  // want `CG202 http\.Get has no context: use http\.NewRequestWithContext\(ctx, \.\.\.\) and a client's Do \(no context in scope: take one from the caller\)$`
	_, _ = c.Post("http://b", "text/plain", nil) // want `CG202 \(\*http\.Client\)\.Post has no context: .* \(no context in scope`
	_, _ = db.Query("SELECT 1")                  // want `CG202 \(\*sql\.DB\)\.Query has no context: use QueryContext\(ctx, \.\.\.\) \(no context in scope`
	_ = exec.Command("true").Run()               // want `CG202 exec\.Command has no context`
	_, _ = net.Dial("tcp", "localhost:80")       // want `CG202 net\.Dial has no context`
	_, _ = net.Dial("unix", "/run/x.sock")       // ok: a Unix socket: nothing to resolve or wait for
	get := http.Get
	_, _ = get("http://c") // want `CG202 http\.Get \(called as get\) has no context`
}

// A request given its context later is still reported: it should be built with it.
func attachLater(ctx context.Context, c *http.Client) error {
	req, err := http.NewRequest(http.MethodGet, "http://a", nil) // want `CG202 http\.NewRequest has no context: use http\.NewRequestWithContext\(ctx, \.\.\.\)$`
	if err != nil {
		return err
	}
	_, err = c.Do(req.WithContext(ctx))
	return err
}

// A local root is no context to pass: the generic advice.
func localRoot() {
	ctx := context.Background()
	_, _ = http.Get("http://a") // want `no context in scope: take one from the caller`
	_ = ctx
}

// Deferred calls and tests too, with the generic advice.
func deferred(ctx context.Context, db *sql.DB) {
	defer db.Exec("UNLOCK") // want `CG202 \(\*sql\.DB\)\.Exec has no context: use ExecContext\(ctx, \.\.\.\)$`
	_ = ctx
}

func checkGet(t *testing.T) {
	_, _ = http.Get("http://a") // want `CG202 http\.Get has no context`
	t.Log("ok")
}

// The package's own twins need a context in scope, with or without the option.
func Load(key string) string { return key }

func LoadContext(ctx context.Context, key string) string {
	if ctx.Err() != nil {
		return ""
	}
	return key
}

func useLoad() string {
	return Load("k") // ok: no context in scope, and a package's own twin
}

// ok: calls that take their context already.
func good(ctx context.Context, db *sql.DB) {
	_, _ = db.QueryContext(ctx, "SELECT 1") // ok: QueryContext
}

// Calls whose twin bounds no wait are left out by default, and reported here, as noctx does.
func binds(ctx context.Context) {
	ln, _ := net.Listen("tcp", ":0")     // want `CG202 net\.Listen has no context: use \(&net\.ListenConfig\{\}\)\.Listen\(ctx, \.\.\.\)$`
	_, _ = net.LookupPort("tcp", "http") // want `CG202 net\.LookupPort has no context`
	_, _ = net.ListenPacket("udp", ":0") // want `CG202 net\.ListenPacket has no context`
	_ = ln.Close()
}
