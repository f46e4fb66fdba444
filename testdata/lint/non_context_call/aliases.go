package noncontextcall

import (
	stdctx "context"
	nethttp "net/http"
	. "os/exec"
)

// Aliased context and net/http, dot-imported os/exec.
func aliased(ctx stdctx.Context, url string) error {
	_, err := nethttp.Get(url) // want `CG202 http\.Get has no context`
	if err != nil {
		return err
	}
	req, err := nethttp.NewRequest(nethttp.MethodGet, url, nil) // want `CG202 http\.NewRequest has no context`
	if err != nil {
		return err
	}
	_ = req
	return Command("true").Run() // ok: reported under report-everywhere
}

// A local function named like an import's function.
func localNames(ctx stdctx.Context) {
	Get := func(string) {}
	Get("x") // ok: a local func value
	http := struct{ Get func(string) }{Get: Get}
	http.Get("x") // ok: a local variable named http shadows no import here
}

// A derived context is a context too.
func derived(parent stdctx.Context) error {
	ctx, cancel := stdctx.WithCancel(parent)
	defer cancel()
	_ = ctx
	return Command("sleep", "1").Run() // ok: reported under report-everywhere
}
