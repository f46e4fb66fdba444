// A program's main, and what only main runs: when they give up, the process ends, and a
// goroutine they leave blocked ends with it.
package main

import (
	"context"
	"errors"
	"log"
	"os"
	"time"
)

func fetch() error { return errors.New("unreachable") }

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := run(ctx); err != nil {
		log.Print(err)
	}
	errc := make(chan error)
	go func() { errc <- fetch() }() // ok: main returning ends the process
	select {
	case err := <-errc:
		log.Print(err)
	case <-ctx.Done():
	}
	for i := 0; i < 3; i++ {
		_ = serve(ctx)
	}
	_ = probe(ctx)
	if len(os.Args) > 1 {
		f := probe
		_ = f(ctx)
	}
}

// run is called once, by main: giving up returns to main, which exits.
func run(ctx context.Context) error {
	errc := make(chan error)
	go func() { errc <- fetch() }() // ok: only main runs this, once
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// serve is called in a restart loop: every round that gives up strands another goroutine.
func serve(ctx context.Context) error {
	errc := make(chan error)
	go func() { errc <- fetch() }() // want `CG105 goroutine may block forever sending on errc`
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// probe is also used as a function value: who calls it, and how often, is not known.
func probe(ctx context.Context) error {
	errc := make(chan error)
	go func() { errc <- fetch() }() // want `CG105 goroutine may block forever sending on errc`
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}
