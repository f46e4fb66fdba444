// Package commands starts a server: a package that serves runs as long as its process,
// whatever parses its flags.
package commands

import (
	"net/http"
	"time"

	"github.com/spf13/cobra"
)

// Serve runs the server.
var Serve = &cobra.Command{
	Use: "serve",
	RunE: func(cmd *cobra.Command, args []string) error {
		return http.ListenAndServe(args[0], http.HandlerFunc(handle))
	},
}

func handle(w http.ResponseWriter, r *http.Request) {
	result := make(chan int)
	go func() { result <- len(r.URL.Path) }() // want `CG105 goroutine may block forever sending on result`
	select {
	case n := <-result:
		w.WriteHeader(200 + n%2)
	case <-time.After(time.Second):
		w.WriteHeader(http.StatusGatewayTimeout)
	}
}
