package orphanedsend

import (
	"errors"
	"time"
)

// execWait closes the channel as it returns: after a timeout, the late send panics.
func execWait(run func() error, deadline time.Duration) error {
	waitCh := make(chan error)
	defer close(waitCh)
	go func() {
		waitCh <- run() // want `CG105 goroutine may send on waitCh after it is closed \(a panic: send on closed channel\): the receiver at line 16 can stop receiving \(select with a timer\), and closes waitCh as it returns \(line 11\)`
	}()
	select {
	case err := <-waitCh:
		return err
	case <-time.After(deadline):
		return errors.New("timed out")
	}
}
