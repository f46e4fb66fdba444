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
