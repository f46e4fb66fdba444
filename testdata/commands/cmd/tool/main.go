// The tool's main: a daemon's main parses flags with the same libraries, so a main package is
// never taken for a command.
package main

import (
	"os"
	"time"

	"example.com/tool/cmd/tool/commands"
	"github.com/spf13/cobra"
)

func main() {
	for attempt := 0; attempt < 3; attempt++ { // each attempt that gives up strands a goroutine
		if err := run(); err == nil {
			return
		}
	}
	os.Exit(1)
}

func run() error {
	root := &cobra.Command{Use: "tool"}
	root.AddCommand(commands.Start)
	done := make(chan error)
	go func() { done <- root.Execute() }() // want `CG105 goroutine may block forever sending on done`
	select {
	case err := <-done:
		return err
	case <-time.After(time.Minute):
		return nil
	}
}
