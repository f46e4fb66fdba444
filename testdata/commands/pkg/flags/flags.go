// Package flags registers its flags on a cobra command: a library outside cmd/, still reported.
package flags

import (
	"time"

	"github.com/spf13/cobra"
)

// AddTimeout registers --timeout on cmd.
func AddTimeout(cmd *cobra.Command) { cmd.Flags().Duration("timeout", time.Second, "how long to wait") }

// Probe waits a second for check, and gives up.
func Probe(check func() error) error {
	errc := make(chan error)
	go func() { errc <- check() }() // want `CG105 goroutine may block forever sending on errc`
	select {
	case err := <-errc:
		return err
	case <-time.After(time.Second):
		return nil
	}
}
