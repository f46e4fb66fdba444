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
