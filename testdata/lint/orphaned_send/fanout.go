package orphanedsend

// First response wins: several senders (a go statement in a loop), one receive.
func firstMirror(mirrors []string) string {
	ch := make(chan string)
	for _, m := range mirrors {
		go func() {
			ch <- fetch(m) // want `CG105 goroutine may block forever sending on ch: the receiver at line 11 can stop receiving`
		}()
	}
	return <-ch
}

// First response wins with two go statements; each send may be orphaned: one finding for both.
func primaryOrBackup(primary, backup string) string {
	ch := make(chan string)
	go func() {
		ch <- fetch(primary) // want `CG105 goroutine may block forever sending on ch: the receiver at line 23 can stop receiving \(.*\) \(1 more send on ch can block the same way\)$`
	}()
	go func() {
		ch <- fetch(backup) // reported once, above
	}()
	v := <-ch
	return v
}

// ok: first response wins, but the buffer holds every mirror's send.
func okFirstMirrorBuffered(mirrors []string) string {
	ch := make(chan string, len(mirrors))
	for _, m := range mirrors {
		go func() {
			ch <- fetch(m)
		}()
	}
	return <-ch
}

// ok: two senders, literal buffer of two, one receive.
func okPrimaryOrBackupBuffered(primary, backup string) string {
	ch := make(chan string, 2)
	go func() {
		ch <- fetch(primary)
	}()
	go func() {
		ch <- fetch(backup)
	}()
	return <-ch
}

// ok: two senders and two plain receives.
func okBothReceived(a, b string) (string, string) {
	ch := make(chan string)
	go func() {
		ch <- fetch(a)
	}()
	go func() {
		ch <- fetch(b)
	}()
	x := <-ch
	y := <-ch
	return x, y
}

// ok: a named sender started once, plain receive (sendSquare in senders.go).
func okNamedDrained(i int) int {
	ch := make(chan int)
	go sendSquare(ch, i)
	return <-ch
}
