// Command leaky is a small Go service with a known, countable mix of leaked
// goroutines and never-cancelled contexts. It exists to produce real runtime
// artifacts (goroutine dumps, pprof profiles, tracebacks, scheduler traces)
// for ctxguard's decoders; see ../../README.md for the fixtures it produced
// and the exact commands.
//
// It builds with every Go toolchain from 1.19 on (stdlib only, no newer
// language features).
//
// Modes:
//
//	leaky                      serve net/http/pprof and park forever (SIGQUIT it for a dump)
//	leaky -dump DIR            write goroutine/heap/allocs(/goroutineleak) profiles to DIR and exit 0
//	leaky -panic               nil-pointer panic in a goroutine (traceback on stderr, exit 2)
//	leaky -deadlock            every goroutine asleep (fatal error on stderr, exit 2)
//	leaky -goroutines N -dump-debug2 FILE
//	                           add N bulk goroutines, write one debug=2 dump to FILE, exit 0
package main

import (
	"bufio"
	"compress/gzip"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sync"
	"syscall"
	"time"
)

var (
	addr      = flag.String("addr", "127.0.0.1:0", "net/http/pprof listen address")
	senders   = flag.Int("senders", 20, "goroutines blocked in chan send (main.orphanedSender, created by main.handler)")
	receivers = flag.Int("receivers", 20, "goroutines blocked in chan receive (main.waitForReply, created by main.subscribe)")
	selects   = flag.Int("selects", 10, "goroutines blocked in select (main.(*Pool).worker)")
	mutexes   = flag.Int("mutex", 5, "goroutines blocked in sync.Mutex.Lock (main.lockedUpdate)")
	rwmutexes = flag.Int("rwmutex", 2, "goroutines blocked in sync.RWMutex.RLock (main.readConfig)")
	conds     = flag.Int("cond", 2, "goroutines blocked in sync.Cond.Wait (main.waitReady)")
	wgs       = flag.Int("wg", 5, "goroutines blocked in sync.WaitGroup.Wait (main.awaitAll)")
	sleepers  = flag.Int("sleepers", 5, "goroutines in time.Sleep (main.pollLoop)")
	checkouts = flag.Int("labeled", 4, "labelled checkout requests: each parks main.checkoutWorker (chan send) and main.auditLog (chan receive) under labels handler=checkout, tenant=\"acme corp\"")
	searches  = flag.Int("search", 2, "goroutines in select with labels handler=search, region=eu-west-1 (main.searchWorker)")
	locked    = flag.Int("locked", 2, "goroutines locked to their OS thread, blocked in chan receive (main.pinnedWorker)")
	generics  = flag.Int("generic", 2, "generic goroutines blocked ranging over a channel (main.collect[...])")
	depth     = flag.Int("depth", 150, "recursion depth of the one deep goroutine (main.recurse); 0 disables it")
	nilchans  = flag.Bool("nilchans", true, "one goroutine each in chan receive (nil chan), chan send (nil chan), select (no cases)")
	sysread   = flag.Bool("syscall", true, "one goroutine blocked in a raw read(2) on a pipe (main.blockingRead, [syscall])")
	contexts  = flag.Int("contexts", 200, "context.WithCancel children of a long-lived root that are never cancelled (main.leakCancelCtx)")
	timeouts  = flag.Int("timeouts", 50, "context.WithTimeout(root, 1h) never cancelled (main.leakTimerCtx)")
	spin      = flag.Bool("spin", false, "one goroutine busy-looping (main.spinner) so that tracebacks show a running goroutine (use with GODEBUG=asyncpreemptoff=1)")
	memRate   = flag.Int("memprofilerate", 1, "runtime.MemProfileRate (1 = record every allocation; 0 = leave Go's default)")

	dumpDir     = flag.String("dump", "", "write profiles to DIR and exit")
	doPanic     = flag.Bool("panic", false, "panic with a nil pointer dereference in a goroutine")
	doDeadlock  = flag.Bool("deadlock", false, "block every goroutine: the runtime reports a deadlock")
	exitAfter   = flag.Duration("exit-after", 0, "in serve mode, exit 0 after this long (0 = never)")
	hold        = flag.Duration("hold", 0, "in serve mode, after this long run the goroutineleak profile if it exists (marking goroutines leaked) and print \"held\"")
	bulk        = flag.Int("goroutines", 0, "additional bulk goroutines (a third each in chan send, chan receive, select), for big dumps")
	dumpDebug2  = flag.String("dump-debug2", "", "write one goroutine debug=2 dump (pprof, capped at 64 MB) to FILE and exit")
	uncapped    = flag.Bool("uncapped", false, "with -dump-debug2: use runtime.Stack with a buffer as large as needed (no 64 MB cap)")
	skipMix     = flag.Bool("no-mix", false, "leave out the small leak mix (bulk goroutines only)")
	rootCtx     context.Context
	rootCancel  context.CancelFunc
	ready       sync.WaitGroup
	forever     = make(chan struct{})
	reqTimeout  = time.Millisecond
	pools       []*Pool
	stateMu     sync.Mutex
	configMu    sync.RWMutex
	readyCond   = sync.NewCond(&sync.Mutex{})
	isReady     bool
	pipeWriters []int
	spinCount   uint64
)

func main() {
	flag.Parse()
	if *memRate > 0 {
		runtime.MemProfileRate = *memRate
	}
	rootCtx, rootCancel = context.WithCancel(context.Background())
	_ = rootCancel // the root lives as long as the process

	if *doDeadlock {
		// No timers, no network, no syscalls: only goroutines that nothing can wake.
		reqTimeout = 0
		*sleepers, *timeouts = 0, 0
		*sysread, *spin = false, false
	} else if *dumpDebug2 == "" {
		startServer(*addr)
	}

	if !*skipMix {
		setup()
	}
	if *bulk > 0 {
		startBulk(*bulk)
	}
	ready.Wait()
	time.Sleep(200 * time.Millisecond) // let the last goroutines park
	// Two GCs: a GC's stack scan stamps each parked goroutine's waitsince
	// with work.tstart, which is only set at the end of a cycle (gcMark), so
	// the first GC of a process stamps nothing and the second stamps the
	// first one's time. After that, tracebacks taken 60 s later say ", 1 minutes".
	runtime.GC()
	runtime.GC()
	if *spin {
		// Started after the GC: with GODEBUG=asyncpreemptoff=1 this loop
		// cannot be preempted, so tracebacks print it as running on another
		// thread with its stack unavailable.
		go spinner()
		time.Sleep(50 * time.Millisecond)
	}
	fmt.Printf("ready goroutines=%d go=%s\n", runtime.NumGoroutine(), runtime.Version())

	switch {
	case *dumpDebug2 != "":
		writeBigDump(*dumpDebug2)
	case *dumpDir != "":
		if err := dumpAll(*dumpDir); err != nil {
			fmt.Fprintln(os.Stderr, "dump:", err)
			os.Exit(1)
		}
	case *doPanic:
		handlePayment()
		<-forever
	case *doDeadlock:
		waitShutdown()
	default:
		if *hold > 0 {
			time.Sleep(*hold)
			if p := pprof.Lookup("goroutineleak"); p != nil {
				_ = p.WriteTo(io.Discard, 1)
				fmt.Println("goroutineleak profile: run")
			}
			fmt.Println("held")
		}
		if *exitAfter > 0 {
			time.Sleep(*exitAfter)
			os.Exit(0)
		}
		<-forever
	}
}

// setup builds the leak mix. It runs on goroutine 1 (main.main → main.setup).
func setup() {
	if *senders > 0 {
		ready.Add(*senders)
		done := make(chan struct{})
		go dispatcher(*senders, done)
		<-done
	}
	for i := 0; i < *receivers; i++ {
		ready.Add(1)
		subscribe(fmt.Sprintf("topic-%d", i))
	}
	if *selects > 0 {
		newPool(*selects)
	}

	stateMu.Lock() // held forever
	for i := 0; i < *mutexes; i++ {
		ready.Add(1)
		go lockedUpdate(i)
	}
	configMu.Lock() // held forever
	for i := 0; i < *rwmutexes; i++ {
		ready.Add(1)
		go readConfig(i)
	}
	for i := 0; i < *conds; i++ {
		ready.Add(1)
		go waitReady(i)
	}
	if *wgs > 0 {
		var wg sync.WaitGroup
		wg.Add(1) // nobody ever calls Done
		for i := 0; i < *wgs; i++ {
			ready.Add(1)
			go awaitAll(i, &wg)
		}
	}
	for i := 0; i < *sleepers; i++ {
		ready.Add(1)
		go pollLoop(i)
	}
	for i := 0; i < *checkouts; i++ {
		ready.Add(2)
		go serveCheckout(i)
	}
	for i := 0; i < *searches; i++ {
		ready.Add(1)
		go searchWorker(i)
	}
	for i := 0; i < *locked; i++ {
		ready.Add(1)
		go pinnedWorker(i)
	}
	for i := 0; i < *generics; i++ {
		ready.Add(1)
		if i%2 == 0 {
			go collect(make(chan int))
		} else {
			go collect(make(chan string))
		}
	}
	if *depth > 0 {
		ready.Add(1)
		go deepDive(*depth)
	}
	if *nilchans {
		ready.Add(3)
		go nilRecv()
		go nilSend()
		go blockForever()
	}
	if *sysread {
		var fds [2]int
		if err := syscall.Pipe(fds[:]); err != nil {
			panic(err)
		}
		pipeWriters = append(pipeWriters, fds[1]) // keep the write end open: the read never returns
		ready.Add(1)
		go blockingRead(fds[0])
	}
	leakCancelCtx(*contexts)
	leakTimerCtx(*timeouts)
}

// ---- chan send: the orphaned sender (CG105's runtime signature) ----

// dispatcher plays an accept loop: one short-lived goroutine per request.
func dispatcher(n int, done chan<- struct{}) {
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go serveRequest(i, &wg)
	}
	wg.Wait()
	close(done)
}

func serveRequest(id int, wg *sync.WaitGroup) {
	defer wg.Done()
	ctx, cancel := context.WithTimeout(rootCtx, reqTimeout)
	defer cancel()
	_, _ = handler(ctx, id)
}

// handler gives up on its context; the sender it started stays blocked forever.
func handler(ctx context.Context, id int) (string, error) {
	results := make(chan string) // unbuffered: the trap
	upstream := make(chan struct{})
	defer close(upstream) // the slow upstream answers only after we gave up
	go orphanedSender(id, results, upstream)
	select {
	case r := <-results:
		return r, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func orphanedSender(id int, results chan<- string, upstream <-chan struct{}) {
	<-upstream
	ready.Done()
	results <- fmt.Sprintf("result-%d", id)
}

// ---- chan receive ----

type event struct{ topic, payload string }

func subscribe(topic string) {
	ch := make(chan event) // nobody publishes
	go waitForReply(topic, ch)
}

func waitForReply(topic string, ch <-chan event) {
	ready.Done()
	ev := <-ch
	_ = ev.payload + topic
}

// ---- select, method on a pointer receiver, never-cancelled context ----

type Pool struct {
	jobs chan func()
	ctx  context.Context
}

func newPool(n int) {
	ctx, _ := context.WithCancel(rootCtx) // cancel dropped: the pool never stops
	p := &Pool{jobs: make(chan func()), ctx: ctx}
	pools = append(pools, p)
	for i := 0; i < n; i++ {
		ready.Add(1)
		go p.worker(i)
	}
}

func (p *Pool) worker(id int) {
	ready.Done()
	for {
		select {
		case job := <-p.jobs:
			job()
		case <-p.ctx.Done():
			return
		}
	}
}

// ---- sync primitives ----

func lockedUpdate(id int) {
	ready.Done()
	stateMu.Lock()
	defer stateMu.Unlock()
}

func readConfig(id int) {
	ready.Done()
	configMu.RLock()
	defer configMu.RUnlock()
}

func waitReady(id int) {
	readyCond.L.Lock()
	ready.Done()
	for !isReady {
		readyCond.Wait()
	}
	readyCond.L.Unlock()
}

func awaitAll(id int, wg *sync.WaitGroup) {
	ready.Done()
	wg.Wait()
}

func pollLoop(id int) {
	ready.Done()
	for {
		time.Sleep(time.Hour)
	}
}

// ---- pprof labels ----

func serveCheckout(id int) {
	labels := pprof.Labels("handler", "checkout", "tenant", "acme corp")
	pprof.Do(rootCtx, labels, func(ctx context.Context) {
		audit := make(chan string)
		go auditLog(audit) // inherits the labels
		out := make(chan int)
		checkoutWorker(ctx, id, out)
	})
}

func checkoutWorker(ctx context.Context, id int, out chan<- int) {
	ready.Done()
	out <- id // nobody receives
}

func auditLog(in <-chan string) {
	ready.Done()
	for line := range in {
		_ = line
	}
}

func searchWorker(id int) {
	pprof.SetGoroutineLabels(pprof.WithLabels(rootCtx, pprof.Labels("handler", "search", "region", "eu-west-1")))
	queries := make(chan string)
	quit := make(chan struct{})
	ready.Done()
	select {
	case <-queries:
	case <-quit:
	}
}

// ---- locked to thread, generics, deep stacks, nil channels, syscall ----

func pinnedWorker(id int) {
	runtime.LockOSThread()
	ch := make(chan int)
	ready.Done()
	<-ch
}

func collect[T any](in <-chan T) []T {
	var out []T
	ready.Done()
	for v := range in {
		out = append(out, v)
	}
	return out
}

func deepDive(n int) {
	ch := make(chan struct{})
	recurse(n, ch)
}

func recurse(n int, ch chan struct{}) int {
	if n == 0 {
		ready.Done()
		<-ch
		return 0
	}
	return recurse(n-1, ch) + 1
}

func nilRecv() {
	var ch chan int
	ready.Done()
	<-ch
}

func nilSend() {
	var ch chan int
	ready.Done()
	ch <- 1
}

func blockForever() {
	ready.Done()
	select {}
}

func blockingRead(fd int) {
	buf := make([]byte, 1)
	ready.Done()
	_, _ = syscall.Read(fd, buf)
}

func spinner() {
	for {
		spinCount++
	}
}

// ---- never-cancelled contexts (heap evidence only) ----

func leakCancelCtx(n int) {
	for i := 0; i < n; i++ {
		ctx, _ := context.WithCancel(rootCtx) // registered in rootCtx's children forever
		_ = ctx
	}
}

func leakTimerCtx(n int) {
	for i := 0; i < n; i++ {
		ctx, _ := context.WithTimeout(rootCtx, time.Hour) // a timer and a child of rootCtx for an hour
		_ = ctx
	}
}

// ---- panic and deadlock ----

type Customer struct{ Discount int }

type Order struct {
	Items    []int
	Customer *Customer
}

//go:noinline
func (o *Order) Total() int {
	t := 0
	for _, it := range o.Items {
		t += it
	}
	return t - o.Customer.Discount // Customer is nil
}

func processPayment(o *Order) {
	fmt.Println("total", o.Total())
}

func handlePayment() {
	go processPayment(&Order{Items: []int{3, 4}})
}

func waitShutdown() {
	shutdown := make(chan struct{})
	<-shutdown
}

// ---- serving ----

func startServer(a string) {
	ln, err := net.Listen("tcp", a)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("listening on http://%s\n", ln.Addr())
	go func() { _ = http.Serve(ln, nil) }()
}

// ---- dumps ----

func dumpAll(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	write := func(name string, fn func(w io.Writer) error) error {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		if err := fn(f); err != nil {
			f.Close()
			return fmt.Errorf("%s: %w", name, err)
		}
		return f.Close()
	}
	profile := func(name string, debug int) func(io.Writer) error {
		return func(w io.Writer) error { return pprof.Lookup(name).WriteTo(w, debug) }
	}
	steps := []struct {
		file string
		fn   func(io.Writer) error
	}{
		{"goroutine.debug1.txt", profile("goroutine", 1)},
		{"goroutine.debug2.txt", profile("goroutine", 2)},
		{"goroutine.pb.gz", profile("goroutine", 0)},
		{"stack_all.txt", func(w io.Writer) error { _, err := w.Write(stackAll(0)); return err }},
	}
	for _, s := range steps {
		if err := write(s.file, s.fn); err != nil {
			return err
		}
	}
	runtime.GC()
	for _, s := range []struct {
		file string
		fn   func(io.Writer) error
	}{
		{"heap.pb.gz", profile("heap", 0)},
		{"heap.debug1.txt", profile("heap", 1)},
		{"allocs.pb.gz", profile("allocs", 0)},
	} {
		if err := write(s.file, s.fn); err != nil {
			return err
		}
	}
	// Go 1.26 with GOEXPERIMENT=goroutineleakprofile, Go 1.27 by default.
	// Written last: the leak-detecting GC marks goroutines "(leaked)".
	if pprof.Lookup("goroutineleak") != nil {
		for _, s := range []struct {
			file string
			fn   func(io.Writer) error
		}{
			{"goroutineleak.pb.gz", profile("goroutineleak", 0)},
			{"goroutineleak.debug1.txt", profile("goroutineleak", 1)},
			{"goroutineleak.debug2.txt", profile("goroutineleak", 2)},
		} {
			if err := write(s.file, s.fn); err != nil {
				return err
			}
		}
		fmt.Println("goroutineleak profile: written")
	} else {
		fmt.Println("goroutineleak profile: not available")
	}
	return nil
}

// stackAll returns runtime.Stack(buf, true), growing buf until the dump fits
// (limit 0 = no limit).
func stackAll(limit int) []byte {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) || (limit > 0 && len(buf) >= limit) {
			return buf[:n]
		}
		buf = make([]byte, 2*len(buf))
	}
}

// ---- bulk goroutines for big dumps ----

func startBulk(n int) {
	ready.Add(n)
	for i := 0; i < n; i++ {
		go bulkRequest(i)
	}
}

//go:noinline
func bulkRequest(i int) { bulkHandler(i) }

//go:noinline
func bulkHandler(i int) {
	switch i % 3 {
	case 0:
		bulkSend(i)
	case 1:
		bulkRecv()
	default:
		bulkSelect()
	}
}

//go:noinline
func bulkSend(i int) {
	ch := make(chan int)
	ready.Done()
	ch <- i
}

//go:noinline
func bulkRecv() {
	ch := make(chan int)
	ready.Done()
	<-ch
}

//go:noinline
func bulkSelect() {
	a, b := make(chan int), make(chan int)
	ready.Done()
	select {
	case <-a:
	case <-b:
	}
}

func writeBigDump(file string) {
	start := time.Now()
	f, err := os.Create(file)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	var out io.Writer = w
	var gz *gzip.Writer
	if filepath.Ext(file) == ".gz" {
		gz = gzip.NewWriter(w)
		out = gz
	}
	var n int64
	cw := &countingWriter{w: out}
	if *uncapped {
		_, err = cw.Write(stackAll(0))
	} else {
		err = pprof.Lookup("goroutine").WriteTo(cw, 2)
	}
	n = cw.n
	if err == nil && gz != nil {
		err = gz.Close()
	}
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = f.Close()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("wrote %s: %d bytes of dump text, goroutines=%d, capped_at_64MB=%v, took %s\n",
		file, n, runtime.NumGoroutine(), !*uncapped && n >= 64<<20, time.Since(start).Round(time.Millisecond))
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
