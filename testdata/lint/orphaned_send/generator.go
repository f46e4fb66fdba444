package orphanedsend

import (
	"context"
	"errors"
	"io"
)

type stream struct{ left int }

func (s *stream) Recv() (int, error) {
	if s.left == 0 {
		return 0, io.EOF
	}
	s.left--
	return s.left, nil
}

type item struct {
	v   int
	err error
}

// A channel handed to the caller and fed by a loop that never watches ctx: a caller that
// stops reading once ctx is done leaves the goroutine blocked on its next send.
func Stream(ctx context.Context, s *stream) <-chan item {
	out := make(chan item, 1)
	go func() {
		defer close(out)
		for {
			v, err := s.Recv()
			if err != nil {
				if !errors.Is(err, io.EOF) {
					out <- item{err: err}
				}
				return
			}
			out <- item{v: v} // ok: a generator, CG104's (opt-in): the loop never watches ctx
		}
	}()
	return out
}

// ok: the loop gives way when ctx is done.
func StreamWatching(ctx context.Context, s *stream) <-chan item {
	out := make(chan item, 1)
	go func() {
		defer close(out)
		for {
			v, err := s.Recv()
			if err != nil {
				return
			}
			select {
			case out <- item{v: v}:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

// ok: no context, so no caller that gives up on one (a plain iterator the caller drains).
func Numbers(n int) <-chan int {
	out := make(chan int)
	go func() {
		defer close(out)
		for i := 0; i < n; i++ {
			out <- i
		}
	}()
	return out
}

// ok: one send, into room for it.
func First(ctx context.Context, s *stream) <-chan item {
	out := make(chan item, 1)
	go func() {
		v, err := s.Recv()
		out <- item{v: v, err: err}
	}()
	_ = ctx
	return out
}
