package orphanedsend

import "time"

// fakeClock has a method named like time.After.
type fakeClock struct{}

func (fakeClock) After(n int) <-chan struct{} { return make(chan struct{}) }

// A local variable named time shadows the time import; the other case still
// leaves: for a select outside a loop any other case counts, whatever it is.
func shadowedTime(url string) string {
	time := fakeClock{}
	ch := make(chan string)
	go func() {
		ch <- fetch(url) // want `CG105 goroutine may block forever sending on ch: the receiver at line 19 can stop receiving`
	}()
	select {
	case s := <-ch:
		return s
	case <-time.After(1):
		return ""
	}
}

// ok: a local variable named make shadows the builtin; this is not a
// channel made with make(chan T), and the fake returns a buffered channel.
func okShadowedMake(url string) string {
	make := newStringChan
	ch := make(1)
	go func() {
		ch <- fetch(url)
	}()
	select {
	case s := <-ch:
		return s
	case <-fakeClock{}.After(1):
		return ""
	}
}

// ok: the real time.After with a buffered channel of one (uses the import).
func okRealTime(url string) string {
	ch := make(chan string, 1)
	go func() {
		ch <- fetch(url)
	}()
	select {
	case s := <-ch:
		return s
	case <-time.After(time.Second):
		return ""
	}
}

// newStringChan returns a buffered channel.
func newStringChan(n int) chan string { return make(chan string, n) }
