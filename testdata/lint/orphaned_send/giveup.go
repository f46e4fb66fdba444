package orphanedsend

// The receiver gives up inside a loop that goes on (a channel made per
// iteration is a new one each time round: the old sender is nobody's), or
// leaves before its only receive.

import (
	"log"
	"time"
)

func probe(host string) bool { return host != "" }

// One channel per host; a slow host times out, the loop goes on, and its
// prober is left sending for ever: one stranded goroutine per timeout.
func probeAll(hosts []string, d time.Duration) map[string]bool {
	up := map[string]bool{}
	for _, h := range hosts {
		ch := make(chan bool)
		go func() {
			ch <- probe(h) // want `CG105 goroutine may block forever sending on ch: the receiver at line 24 can stop receiving \(select with a timer\)`
		}()
		select {
		case ok := <-ch:
			up[h] = ok
		case <-time.After(d):
			log.Printf("probe %s: timed out", h)
		}
	}
	return up
}

// ok: the same loop with a slot for the late answer.
func okProbeAllBuffered(hosts []string, d time.Duration) map[string]bool {
	up := map[string]bool{}
	for _, h := range hosts {
		ch := make(chan bool, 1)
		go func() {
			ch <- probe(h)
		}()
		select {
		case ok := <-ch:
			up[h] = ok
		case <-time.After(d):
			log.Printf("probe %s: timed out", h)
		}
	}
	return up
}

// A return between the go statement and the only receive.
func fetchUnlessInvalid(url string) (string, error) {
	ch := make(chan string)
	go func() {
		ch <- fetch(url) // want `CG105 goroutine may block forever sending on ch: the receiver at line 60 can stop receiving \(return at line 58 skips the receive\)`
	}()
	if err := step(); err != nil {
		return "", err
	}
	return <-ch, nil
}

// A continue before the receive: the next iteration makes a new channel.
func fetchEach(urls []string) []string {
	var out []string
	for _, u := range urls {
		ch := make(chan string)
		go func() {
			ch <- fetch(u) // want `CG105 goroutine may block forever sending on ch: the receiver at line 74 can stop receiving \(continue at line 72 skips the receive\)`
		}()
		if u == "" {
			continue
		}
		out = append(out, <-ch)
	}
	return out
}

// A break out of the loop before the receive.
func fetchUntilBlank(urls []string) []string {
	var out []string
	for _, u := range urls {
		ch := make(chan string)
		go func() {
			ch <- fetch(u) // want `CG105 goroutine may block forever sending on ch: the receiver at line 90 can stop receiving \(break at line 88 skips the receive\)`
		}()
		if u == "" {
			break
		}
		out = append(out, <-ch)
	}
	return out
}

// ok: the early return has a slot to leave the result in.
func okFetchUnlessInvalidBuffered(url string) (string, error) {
	ch := make(chan string, 1)
	go func() {
		ch <- fetch(url)
	}()
	if err := step(); err != nil {
		return "", err
	}
	return <-ch, nil
}

// ok: the return comes before the goroutine starts.
func okReturnBeforeStart(url string) (string, error) {
	if err := step(); err != nil {
		return "", err
	}
	ch := make(chan string)
	go func() {
		ch <- fetch(url)
	}()
	return <-ch, nil
}

// ok: both branches receive.
func okBothBranchesReceive(url string, verbose bool) string {
	ch := make(chan string)
	go func() {
		ch <- fetch(url)
	}()
	if verbose {
		s := <-ch
		log.Print(s)
		return s
	}
	return <-ch
}

// ok: a deferred receive takes the value on every way out.
func okDeferredReceive(url string) error {
	ch := make(chan string)
	go func() {
		ch <- fetch(url)
	}()
	defer func() { log.Print(<-ch) }()
	return step()
}

// ok: a receive loop after the go statements; the loop header decides, not a jump.
func okReceiveLoopAfter(urls []string) []string {
	ch := make(chan string)
	for _, u := range urls {
		go func() {
			ch <- fetch(u)
		}()
	}
	var out []string
	for range urls {
		out = append(out, <-ch)
	}
	return out
}

// ok: the other case waits on a channel the sender closes on its way out:
// when it fires, the sender has finished.
func okUntilSenderDone(url string) (string, bool) {
	ch := make(chan string)
	done := make(chan struct{})
	go func() {
		defer close(done)
		ch <- fetch(url)
	}()
	select {
	case s := <-ch:
		return s, true
	case <-done:
		return "", false
	}
}

// Another branch of the switch that receives returns without receiving.
func fetchByMode(url string, mode int) string {
	ch := make(chan string)
	go func() {
		ch <- fetch(url) // want `CG105 goroutine may block forever sending on ch: the receiver at line 183 can stop receiving \(return at line 185 skips the receive\)`
	}()
	switch mode {
	case 0:
		return <-ch
	default:
		return ""
	}
}

// ok: the goroutine starts and the receive happens on the same condition;
// the return after the if is no jump past the receive.
func okSameCondition(url string, async bool) string {
	ch := make(chan string)
	if async {
		go func() {
			ch <- fetch(url)
		}()
	}
	s := "sync"
	if async {
		s = <-ch
	}
	return s
}

// ok: on timeout the receiver hands the sender to a goroutine that takes its result and
// cleans it up.
func dialWithCleanup(addr string, d time.Duration) (string, error) {
	res := make(chan string)
	go func() {
		res <- addr // ok: received in either case
	}()
	select {
	case r := <-res:
		return r, nil
	case <-time.After(d):
		go func() {
			if r := <-res; r != "" {
				log.Print("closing late connection ", r)
			}
		}()
		return "", errTimeout
	}
}

// ok: the goroutine takes the token out of the one-slot channel before it puts one back.
func reloadLoop(signals <-chan bool, run func() error) error {
	reload := make(chan bool, 1)
	reload <- true
	for <-reload {
		reload <- false
		go func() {
			if <-signals {
				<-reload
				reload <- true // ok: there is room, it just took the value out
			}
		}()
		if err := run(); err != nil {
			return err
		}
	}
	return nil
}

// ok: the goroutine sends once, on one channel or the other, and the select takes either.
func restore(copySnapshot func() (string, error)) (string, error) {
	errCh := make(chan error)
	metaCh := make(chan string)
	go func() {
		meta, err := copySnapshot()
		if err != nil {
			errCh <- err // ok: the select below receives it
		} else {
			metaCh <- meta // ok: or this one
		}
	}()
	select {
	case err := <-errCh:
		return "", err
	case meta := <-metaCh:
		return meta, nil
	}
}
