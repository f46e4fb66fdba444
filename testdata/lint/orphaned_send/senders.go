package orphanedsend

// Named sender functions started with `go` (each by exactly one function in
// basic.go or loops.go).

// Started by fetchViaNamed, whose select can stop receiving. The channel's
// name in the message is not pinned.
func sendFetch(out chan<- string, url string) {
	out <- fetch(url) // want `CG105 goroutine may block forever sending on \w+: the receiver at line 102 can stop receiving`
}

// ok: started by okViaNamedBuffered, whose channel has a buffer of one.
func sendFetchBuffered(out chan<- string, url string) {
	out <- fetch(url)
}

// ok: started by okNamedDrained, which receives with a plain receive.
func sendSquare(out chan<- int, i int) {
	out <- square(i)
}
