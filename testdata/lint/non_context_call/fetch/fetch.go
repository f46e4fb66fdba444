// Package fetch wraps calls that have a context twin in functions that take no context.
package fetch

import (
	"context"
	"database/sql"
	"net"
	"net/http"
	"os/exec"
)

// Page hides http.Get: callers that have a context cannot bound it.
func Page(url string) (*http.Response, error) {
	return http.Get(url)
}

// Rows hides a query on a *sql.DB.
func Rows(db *sql.DB) (*sql.Rows, error) {
	return db.Query("SELECT 1")
}

// Cached only relays to Page.
func Cached(url string) (*http.Response, error) {
	return Page(url)
}

// NewRequest builds a request for the caller, who may add the context itself.
func NewRequest(url string) (*http.Request, error) {
	return http.NewRequest(http.MethodGet, url, nil)
}

// Cmd builds a command for the caller to run.
func Cmd(name string) *exec.Cmd { return exec.Command(name) }

// Listen waits for nothing a context would cut short.
func Listen(addr string) (net.Listener, error) { return net.Listen("tcp", addr) }

// Later fetches in a goroutine of its own: the caller does not wait for it.
func Later(url string) {
	go http.Get(url)
}

// Dialer returns a dial function for later: the caller's context is not the one it needs.
func Dialer(addr string) func() (net.Conn, error) {
	return func() (net.Conn, error) { return net.Dial("tcp", addr) }
}

// Maybe fetches only in one branch.
func Maybe(url string, ok bool) {
	if ok {
		http.Get(url)
	}
}

// Fresh has a context and calls its own package's wrapper.
func Fresh(ctx context.Context, url string) (*http.Response, error) {
	return Page(url) // want `CG202 Page calls http.Get without a context \(fetch.go:14\): give it a context parameter, pass ctx`
}

// Store is a client layer whose methods take no context.
type Store struct{ client *http.Client }

// User hides a request.
func (s *Store) User(id string) error {
	_, err := s.client.Get("http://users/" + id)
	return err
}

// Feed hides another.
func (s *Store) Feed(id string) error {
	_, err := s.client.Get("http://feeds/" + id)
	return err
}

// Entry hides a third.
func (s *Store) Entry(id string) error {
	_, err := s.client.Get("http://entries/" + id)
	return err
}
