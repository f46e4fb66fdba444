package orphanedsend

import "context"

// values feeds a channel without watching ctx, but its only caller reads it to the end.
func values(ctx context.Context, s *stream) <-chan int {
	out := make(chan int, 8)
	go func() {
		defer close(out)
		for {
			v, err := s.Recv()
			if err != nil {
				return
			}
			out <- v // ok: sum ranges over every value
		}
	}()
	return out
}

func sum(ctx context.Context, s *stream) int {
	total := 0
	for v := range values(ctx, s) {
		total += v
	}
	return total
}

// firstValues has a caller that stops reading after the first value it likes: a generator,
// reported by CG104 (opt-in) with CG105's reason.
func firstValues(ctx context.Context, s *stream) <-chan int {
	out := make(chan int, 8)
	go func() {
		defer close(out)
		for {
			v, err := s.Recv()
			if err != nil {
				return
			}
			out <- v // ok: a generator, CG104's (opt-in)
		}
	}()
	return out
}

func firstEven(ctx context.Context, s *stream) (int, bool) {
	ch := firstValues(ctx, s)
	for v := range ch {
		if v%2 == 0 {
			return v, true
		}
	}
	return 0, false
}
