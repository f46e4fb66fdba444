package orphanedsend

// A goroutine loop that never watches its context, sending to a receiver
// that gives up: CG104 (goroutine-ignores-cancel) reports the send, with this
// rule's reason in its message; this rule does not report it a second time.

import "context"

// ok: reported once, by CG104.
func pricesUntilDone(ctx context.Context, items []string) []string {
	out := make(chan string)
	go func() {
		for _, it := range items {
			out <- fetch(it) // want `CG105 .*the receiver at line 20 can stop receiving` (CG104 reports it instead when both run)
		}
	}()
	var got []string
	for range items {
		select {
		case s := <-out:
			got = append(got, s)
		case <-ctx.Done():
			return got
		}
	}
	return got
}

// The same worker with no context to watch: CG104 has nothing to say, so
// this rule reports the send.
func pricesUntilQuit(quit <-chan struct{}, items []string) []string {
	out := make(chan string)
	go func() {
		for _, it := range items {
			out <- fetch(it) // want `CG105 goroutine may block forever sending on out: the receiver at line 41 can stop receiving \(select on quit\)`
		}
	}()
	var got []string
	for range items {
		select {
		case s := <-out:
			got = append(got, s)
		case <-quit:
			return got
		}
	}
	return got
}
