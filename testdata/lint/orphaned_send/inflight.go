package orphanedsend

import "errors"

func write(batch []int) error {
	if len(batch) == 0 {
		return errors.New("empty")
	}
	return nil
}

// broadcast keeps one writer in flight; a writer that fails leaves done set, so no other
// starts and its one error fits in fail.
func broadcast(batches <-chan []int, term <-chan struct{}) {
	var (
		queue  [][]int
		done   chan struct{}
		fail   = make(chan error, 1)
		failed bool
	)
	for {
		if done == nil && len(queue) > 0 && !failed {
			batch := queue[0]
			queue = queue[1:]
			if len(batch) > 0 {
				done = make(chan struct{})
				go func() {
					if err := write(batch); err != nil {
						fail <- err // ok: at most one writer ever fails
						return
					}
					close(done)
				}()
			}
		}
		select {
		case b := <-batches:
			queue = append(queue, b)
		case <-done:
			done = nil
		case <-fail:
			failed = true
		case <-term:
			return
		}
	}
}

// broadcastNoRoom is the same with no room for the error: stopping on term strands it.
func broadcastNoRoom(batches <-chan []int, term <-chan struct{}) {
	var (
		queue [][]int
		done  chan struct{}
		fail  = make(chan error)
	)
	for {
		if done == nil && len(queue) > 0 {
			batch := queue[0]
			queue = queue[1:]
			done = make(chan struct{})
			go func() {
				if err := write(batch); err != nil {
					fail <- err // want `CG105 goroutine may block forever sending on fail`
					return
				}
				close(done)
			}()
		}
		select {
		case b := <-batches:
			queue = append(queue, b)
		case <-done:
			done = nil
		case <-fail:
			return
		case <-term:
			return
		}
	}
}

// sendBlocks starts one sender per block and goes round again only after taking its result;
// stopping while one is in flight leaves that one send, which the room for one takes.
func sendBlocks(next func() ([]int, bool), stop <-chan struct{}, wait <-chan struct{}) {
	sent := make(chan error, 1)
	for {
		block, ok := next()
		if !ok {
			return
		}
		go func() {
			sent <- write(block) // ok: at most one in flight, and room for it
		}()
		select {
		case err := <-sent:
			if err == nil {
				continue
			}
			return
		case <-stop:
			select {
			case <-sent:
			case <-wait:
			}
			return
		}
	}
}

// sendBlocksNoRoom is the same on an unbuffered channel: stopping strands the sender.
func sendBlocksNoRoom(next func() ([]int, bool), stop <-chan struct{}, wait <-chan struct{}) {
	sent := make(chan error)
	for {
		block, ok := next()
		if !ok {
			return
		}
		go func() {
			sent <- write(block) // want `CG105 goroutine may block forever sending on sent`
		}()
		select {
		case err := <-sent:
			if err == nil {
				continue
			}
			return
		case <-stop:
			select {
			case <-sent:
			case <-wait:
			}
			return
		}
	}
}

// sendBlocksTwoAhead has room for one but goes round again without taking the result: two
// senders can be pending when it stops.
func sendBlocksTwoAhead(next func() ([]int, bool), stop <-chan struct{}) {
	sent := make(chan error, 1)
	for {
		block, ok := next()
		if !ok {
			return
		}
		go func() {
			sent <- write(block) // want `CG105 goroutine may block forever sending on sent`
		}()
		select {
		case <-sent:
		case <-stop:
			return
		default:
		}
	}
}

// pollUntil starts one probe per round and waits for its answer or the deadline before the
// next: giving up leaves at most the one probe in flight, and the room for one takes its answer.
func pollUntil(probe func() bool, deadline <-chan struct{}, tick func()) bool {
	result := make(chan bool, 1)
	for {
		tick()
		go func() {
			result <- probe() // ok: one in flight, room for it
		}()
		select {
		case <-deadline:
			return false
		case ok := <-result:
			if ok {
				return true
			}
		}
	}
}

// readFrames sends once on either way out of each reader (an error, or the frame) and reads
// the next frame only after taking this one's.
func readFrames(read func() ([]byte, error), die <-chan struct{}, handle func([]byte)) {
	type frame struct {
		body []byte
		err  error
	}
	frames := make(chan frame, 1)
	for {
		go func() {
			body, err := read()
			if err != nil {
				frames <- frame{err: err} // ok: one send per reader, one reader in flight
				return
			}
			frames <- frame{body: body}
		}()
		var f frame
		select {
		case <-die:
			return
		case f = <-frames:
		}
		if f.err != nil {
			return
		}
		handle(f.body)
	}
}

// pollUntilNoRoom is pollUntil on an unbuffered channel: the deadline strands the probe.
func pollUntilNoRoom(probe func() bool, deadline <-chan struct{}, tick func()) bool {
	result := make(chan bool)
	for {
		tick()
		go func() {
			result <- probe() // want `CG105 goroutine may block forever sending on result`
		}()
		select {
		case <-deadline:
			return false
		case ok := <-result:
			if ok {
				return true
			}
		}
	}
}

// pollSkipping has room for one, but a tick goes round again without taking the answer.
func pollSkipping(probe func() bool, deadline <-chan struct{}, tick <-chan struct{}) bool {
	result := make(chan bool, 1)
	for {
		go func() {
			result <- probe() // want `CG105 goroutine may block forever sending on result`
		}()
		select {
		case <-deadline:
			return false
		case <-tick:
		case ok := <-result:
			if ok {
				return true
			}
		}
	}
}

// retryCall sends once per attempt, its response or else its error, and retries only after
// taking the error: one attempt in flight, and room for its one send on either channel.
func retryCall(call func() (int, error), deadline <-chan struct{}) (int, error) {
	responses := make(chan int, 1)
	errs := make(chan error, 1)
	for {
		go func() {
			r, err := call()
			if err != nil {
				errs <- err // ok: one attempt in flight, room for it
				return
			}
			responses <- r // ok: the same
		}()
		select {
		case <-deadline:
			return 0, errTimeout
		case r := <-responses:
			return r, nil
		case <-errs:
			continue
		}
	}
}

// retryCallNoRoom is retryCall on unbuffered channels: the deadline strands the attempt.
func retryCallNoRoom(call func() (int, error), deadline <-chan struct{}) (int, error) {
	responses := make(chan int)
	errs := make(chan error)
	for {
		go func() {
			r, err := call()
			if err != nil {
				errs <- err // want `CG105 goroutine may block forever sending on errs`
				return
			}
			responses <- r // want `CG105 goroutine may block forever sending on responses`
		}()
		select {
		case <-deadline:
			return 0, errTimeout
		case r := <-responses:
			return r, nil
		case <-errs:
			continue
		}
	}
}
