package orphanedsend

import (
	"context"
	"errors"
)

func readLine(prompt string) (string, error) { return prompt, nil }

// serveLines answers each prompt with one line or one error.
func serveLines(lines chan<- string, errs chan<- error, prompts <-chan string) {
	for p := range prompts {
		line, err := readLine(p)
		if err != nil {
			errs <- err // ok in console: one answer per prompt, and console's channels have room for it
		} else {
			lines <- line // ok in console
		}
	}
}

// console asks for a line at a time and may stop between a prompt and its answer: the one
// answer then pending fits in its channel's slot, and closing prompts ends the reader.
func console(ctx context.Context) error {
	lines := make(chan string, 1)
	errs := make(chan error, 1)
	prompts := make(chan string)
	go serveLines(lines, errs, prompts)
	defer close(prompts)
	for {
		prompts <- "> "
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-errs:
			return err
		case line := <-lines:
			if line == "exit" {
				return nil
			}
		}
	}
}

// askOnce has no slot for the answer: stopping between the prompt and the answer strands it.
func askOnce(ctx context.Context) (string, error) {
	answers := make(chan string)
	prompts := make(chan string)
	go func() {
		for p := range prompts {
			answers <- p // want `CG105 goroutine may block forever sending on answers`
		}
	}()
	defer close(prompts)
	prompts <- "? "
	select {
	case a := <-answers:
		return a, nil
	case <-ctx.Done():
		return "", errors.New("gave up")
	}
}
