package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"time"
)

type config struct {
	targets, leaky int
	seed           int64
	leakRate       float64 // goroutines a minute
	slowDelay      time.Duration
	dripEvery      time.Duration
	hugeMB         int64
	bucket         time.Duration // counts change (and renders are cached) per bucket; default 1 s
}

type server struct {
	cfg     config
	now     func() time.Time
	start   time.Time
	targets []*target
	good    *target // the healthy service behind /bad/slow and /bad/drip
	heap    [2][]byte
	garbage []byte
	huge    []byte // whole repeated groups, about 64 KiB
	hugeN   int64  // groups in one copy of huge
	hugeCnt int    // goroutines per group

	quit     chan struct{}
	quitOnce sync.Once
}

// newServer builds the fleet; now is the clock (tests inject their own).
func newServer(cfg config, now func() time.Time) *server {
	if cfg.bucket <= 0 {
		cfg.bucket = time.Second
	}
	s := &server{cfg: cfg, now: now, start: now(), quit: make(chan struct{})}
	for i := range cfg.targets {
		s.targets = append(s.targets, newTarget(i, i < cfg.leaky, cfg.seed))
	}
	s.good = newTarget(-1, false, cfg.seed)

	// fakepprof's own heap profile: a real one, served for every target.
	runtime.GC()
	for debug := range s.heap {
		var b bytes.Buffer
		pprof.Lookup("heap").WriteTo(&b, debug)
		s.heap[debug] = b.Bytes()
	}
	s.garbage = make([]byte, 64<<10)
	rand.NewChaCha8([32]byte{byte(cfg.seed), byte(cfg.seed >> 8), 'f', 'a', 'k', 'e'}).Read(s.garbage)

	// /bad/huge: an idle-connection group of 1000 goroutines, repeated.
	s.hugeCnt = 1000
	group := append([]byte(strconv.Itoa(s.hugeCnt)+" "+stIdleConn.key+"\n"), stIdleConn.block1...)
	for len(s.huge) < 64<<10 {
		s.huge = append(s.huge, group...)
		s.hugeN++
	}
	return s
}

func (s *server) stop() { s.quitOnce.Do(func() { close(s.quit) }) }

func (s *server) elapsed() time.Duration { return max(0, s.now().Sub(s.start)) }

const index = `fakepprof: a fleet of fake net/http/pprof targets.
/t/<i>/debug/pprof/goroutine?debug=1|2, /t/<i>/debug/pprof/heap, /t/<i>/healthz  (i < %d; the first %d leak)
/bad/{hang,drip,huge,garbage,500,reset,slow}/debug/pprof/...
`

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	switch {
	case path == "/":
		fmt.Fprintf(w, index, len(s.targets), s.cfg.leaky)
	case path == "/healthz":
		w.Write([]byte("ok\n"))
	case strings.HasPrefix(path, "/t/"):
		num, rest, _ := strings.Cut(path[len("/t/"):], "/")
		i, err := strconv.Atoi(num)
		if err != nil || i < 0 || i >= len(s.targets) || num != strconv.Itoa(i) {
			http.NotFound(w, r)
			return
		}
		s.serveTarget(w, r, s.targets[i], "/"+rest)
	case strings.HasPrefix(path, "/bad/"):
		mode, rest, _ := strings.Cut(path[len("/bad/"):], "/")
		s.serveBad(w, r, mode, "/"+rest)
	default:
		http.NotFound(w, r)
	}
}

// serveTarget answers like net/http/pprof (and a health check) would.
func (s *server) serveTarget(w http.ResponseWriter, r *http.Request, t *target, rest string) {
	if rest == "/healthz" {
		w.Write([]byte("ok\n"))
		return
	}
	name, ok := strings.CutPrefix(rest, "/debug/pprof/")
	if !ok || (name != "goroutine" && name != "heap") {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	debug, _ := strconv.Atoi(r.FormValue("debug"))
	if debug != 0 {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	}
	switch {
	case name == "heap" && debug == 0:
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Disposition", `attachment; filename="heap"`)
		w.Write(s.heap[0])
	case name == "heap":
		w.Write(s.heap[1])
	case debug == 0:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusNotImplemented)
		w.Write([]byte("fakepprof serves goroutine?debug=1 and ?debug=2, not the protobuf profile\n"))
	default:
		w.Write(t.render(s.elapsed(), s.cfg.bucket, s.cfg.leakRate, min(debug, 2)))
	}
}

func (s *server) serveBad(w http.ResponseWriter, r *http.Request, mode, rest string) {
	ctx := r.Context()
	switch mode {
	case "hang":
		// Hold the request until the client or the server goes away, then
		// drop the connection without a response.
		select {
		case <-ctx.Done():
		case <-s.quit:
		}
		panic(http.ErrAbortHandler)
	case "slow":
		select {
		case <-ctx.Done():
			return
		case <-s.quit:
			panic(http.ErrAbortHandler)
		case <-time.After(s.cfg.slowDelay):
		}
		s.serveTarget(w, r, s.good, rest)
	case "drip":
		s.drip(w, r)
	case "huge":
		s.serveHuge(w, r)
	case "garbage":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Write(s.garbage)
	case "500":
		http.Error(w, "profile unavailable: internal error", http.StatusInternalServerError)
	case "reset":
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(http.ErrAbortHandler)
		}
		if tc, ok := conn.(*net.TCPConn); ok {
			tc.SetLinger(0) // close sends RST, not FIN
		}
		conn.Close()
	default:
		http.NotFound(w, r)
	}
}

// drip sends a healthy target's debug=1 profile one byte at a time, then
// its groups over and over, until the client or the server goes away.
func (s *server) drip(w http.ResponseWriter, r *http.Request) {
	body := s.good.render(s.elapsed(), s.cfg.bucket, s.cfg.leakRate, 1)
	groups := body[bytes.IndexByte(body, '\n')+1:]
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	tick := time.NewTicker(s.cfg.dripEvery)
	defer tick.Stop()
	for i, src := 0, body; ; i++ {
		if i == len(src) {
			i, src = 0, groups
		}
		if _, err := w.Write(src[i : i+1]); err != nil {
			return
		}
		if rc.Flush() != nil {
			return
		}
		select {
		case <-r.Context().Done():
			return
		case <-s.quit:
			return
		case <-tick.C:
		}
	}
}

// serveHuge streams a debug=1 profile of -huge-mb MiB without holding it:
// the header, then one ~64 KiB buffer of whole groups written again and
// again (the same stack: decoders add the counts up).
func (s *server) serveHuge(w http.ResponseWriter, r *http.Request) {
	limit := s.cfg.hugeMB << 20
	copies := (limit + int64(len(s.huge)) - 1) / int64(len(s.huge))
	total := copies * s.hugeN * int64(s.hugeCnt)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if _, err := fmt.Fprintf(w, "goroutine profile: total %d\n", total); err != nil {
		return
	}
	for range copies {
		select {
		case <-r.Context().Done():
			return
		case <-s.quit:
			return
		default:
		}
		if _, err := w.Write(s.huge); err != nil {
			return
		}
	}
}
