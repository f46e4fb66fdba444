package api

import (
	"net/http"

	"fixture/fetch"
)

// The handlers of a package that call a client type's methods, none of which takes a
// context: one finding, at the first call, counting the other methods; the fix is the type's API.
func ShowUser(w http.ResponseWriter, r *http.Request, s *fetch.Store) {
	_ = s.User("1") // want `CG202 fetch.Store.User calls \(\*http.Client\).Get without a context \(fetch.go:\d+\): give it a context parameter, pass r.Context\(\) and use the context twin there \(and 2 more methods of fetch.Store called so in this package: Feed, Entry\)`
	_ = s.Feed("1") // ok: folded into the finding above
}

func ShowFeed(w http.ResponseWriter, r *http.Request, s *fetch.Store) {
	_ = s.Feed("2") // ok: folded into the first call of the package
}
