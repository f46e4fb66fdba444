package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"text/tabwriter"
	"time"

	"ctxguard.dev/lab/internal/loopback"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func testConfig() config {
	return config{targets: 4, leaky: 2, seed: 7, leakRate: 60,
		slowDelay: 200 * time.Millisecond, dripEvery: 5 * time.Millisecond, hugeMB: 200}
}

func start(t *testing.T, cfg config, now func() time.Time) (*server, *httptest.Server) {
	t.Helper()
	s := newServer(cfg, now)
	ts := httptest.NewServer(s)
	t.Cleanup(func() { s.stop(); ts.Close() })
	return s, ts
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return string(b)
}

var (
	totalRE = regexp.MustCompile(`^goroutine profile: total (\d+)\n`)
	countRE = regexp.MustCompile(`(?m)^(\d+) @( 0x[0-9a-f]+)+$`)
	leakRE  = regexp.MustCompile(`(?m)^(\d+) @ 0x48a06e 0x4195bc 0x4191b7 0x6b1645 0x4918e1\n#\t0x6b1644\tmain\.\(\*quoteHandler\)\.fetch\.func1\+0x44\t/src/quotesvc/quotes\.go:48\n\n`)
	headRE  = regexp.MustCompile(`(?m)^goroutine (\d+) \[([^\]]*)\]:$`)
)

// debug1Counts returns the header's total and the sum of the groups' counts.
func debug1Counts(t *testing.T, body string) (total, sum int) {
	t.Helper()
	m := totalRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no debug=1 header in %.100q", body)
	}
	total, _ = strconv.Atoi(m[1])
	for _, c := range countRE.FindAllStringSubmatch(body, -1) {
		n, _ := strconv.Atoi(c[1])
		sum += n
	}
	return total, sum
}

func leakCount(body string) int {
	m := leakRE.FindStringSubmatch(body)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func TestLeakyTargetGrows(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	_, ts := start(t, testConfig(), clock.now)
	d1 := func(i int) string { return get(t, ts.URL+"/t/"+strconv.Itoa(i)+"/debug/pprof/goroutine?debug=1") }

	if n := leakCount(d1(0)); n != 0 {
		t.Fatalf("leak at start: %d", n)
	}
	clock.advance(time.Minute + 300*time.Millisecond) // inside the 60 s bucket
	first := d1(0)
	dump1 := get(t, ts.URL+"/t/0/debug/pprof/goroutine?debug=2")
	clock.advance(4 * time.Minute)
	second := d1(0)
	dump2 := get(t, ts.URL+"/t/0/debug/pprof/goroutine?debug=2")
	if a, b := leakCount(first), leakCount(second); a != 60 || b != 300 {
		t.Fatalf("leaked goroutines after 1 and 5 minutes: %d, %d; want 60, 300", a, b)
	}
	t1, _ := debug1Counts(t, first)
	t2, _ := debug1Counts(t, second)
	if t2-t1 < 200 {
		t.Errorf("total grew from %d to %d", t1, t2)
	}
	if n := leakCount(d1(1)); n != 60*5 {
		t.Errorf("second leaky target: %d leaked", n)
	}
	if strings.Contains(d1(2), "quotes.go:48") || strings.Contains(d1(3), "quotes.go:48") {
		t.Error("a healthy target leaks")
	}

	// Leaked goroutines keep their IDs, and their wait grows.
	leakedIn := func(dump string) map[string]string {
		out := map[string]string{}
		for _, blk := range strings.Split(dump, "\n\n") {
			if m := headRE.FindStringSubmatch(blk); m != nil && strings.Contains(blk, "quotes.go:48") {
				out[m[1]] = m[2]
			}
		}
		return out
	}
	l1, l2 := leakedIn(dump1), leakedIn(dump2)
	if len(l1) != 60 || len(l2) != 300 {
		t.Fatalf("leaked in dumps: %d, %d", len(l1), len(l2))
	}
	minutes := func(state string) int {
		n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(state, "chan send, "), " minutes"))
		return n
	}
	for id, state := range l1 {
		if m1, m2 := minutes(state), minutes(l2[id]); m2 < 4 || m2 != m1+4 {
			t.Fatalf("goroutine %s: %q then %q", id, state, l2[id])
		}
	}
	if l2["205"] != "chan send, 5 minutes" {
		t.Errorf("first leaked goroutine: %q", l2["205"])
	}
	if !strings.Contains(dump2, "created by main.(*quoteHandler).fetch in goroutine 204\n\t/src/quotesvc/quotes.go:44 +0xaa\n") {
		t.Error("no created-by line for the first leaked goroutine")
	}
}

func TestDebug1AndDebug2Agree(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_800_000_000, 0)}
	_, ts := start(t, testConfig(), clock.now)
	for step := range 6 {
		clock.advance(time.Duration(step) * 37 * time.Second)
		for i := range 4 {
			base := ts.URL + "/t/" + strconv.Itoa(i) + "/debug/pprof/goroutine?debug="
			d1, d2 := get(t, base+"1"), get(t, base+"2")
			total, sum := debug1Counts(t, d1)
			heads := headRE.FindAllStringSubmatch(d2, -1)
			if total != sum || total != len(heads) {
				t.Fatalf("target %d: debug=1 total %d, groups %d, debug=2 goroutines %d", i, total, sum, len(heads))
			}
			groups := len(countRE.FindAllString(d1, -1))
			if groups < 20 || groups > 40 {
				t.Errorf("target %d: %d groups", i, groups)
			}
			ids := map[string]bool{}
			for _, h := range heads {
				if ids[h[1]] {
					t.Fatalf("target %d: goroutine %s twice", i, h[1])
				}
				ids[h[1]] = true
			}
			if !strings.HasPrefix(d2, "goroutine ") || !strings.HasSuffix(d2, "\n") || strings.HasSuffix(d2, "\n\n") {
				t.Fatalf("debug=2 framing: %.40q ... %q", d2, d2[len(d2)-20:])
			}
			if !strings.HasSuffix(d1, "\n\n") {
				t.Fatal("debug=1 does not end with a blank line")
			}
		}
	}
}

// The per-group tabwriter blocks equal runtime/pprof's single writer.
func TestDebug1AlignmentAsOneWriter(t *testing.T) {
	tg := newTarget(0, true, 3)
	sn := tg.state(90, 90*time.Second, 60)
	got := tg.debug1(sn)
	var want bytes.Buffer
	tw := tabwriter.NewWriter(&want, 1, 8, 1, '\t', 0)
	for _, line := range strings.SplitAfter(string(got), "\n") {
		line = regexp.MustCompile("\t+").ReplaceAllString(line, "\t")
		io.WriteString(tw, line)
	}
	tw.Flush()
	if !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("alignment differs from one tabwriter:\n%s\n---\n%s", got, want.Bytes())
	}
}

func TestTargetsAndHeap(t *testing.T) {
	_, ts := start(t, testConfig(), time.Now)
	if get(t, ts.URL+"/t/3/healthz") != "ok\n" {
		t.Error("healthz")
	}
	resp, err := http.Get(ts.URL + "/t/0/debug/pprof/heap?gc=1")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if len(b) < 100 || b[0] != 0x1f || b[1] != 0x8b || resp.Header.Get("Content-Type") != "application/octet-stream" {
		t.Errorf("heap: %d bytes, %q", len(b), resp.Header.Get("Content-Type"))
	}
	for _, p := range []string{"/t/4/healthz", "/t/01/healthz", "/t/x/debug/pprof/goroutine", "/t/0/debug/pprof/nope", "/bad/nope/x"} {
		resp, err := http.Get(ts.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Errorf("%s: %d", p, resp.StatusCode)
		}
	}
}

func TestBadModes(t *testing.T) {
	_, ts := start(t, testConfig(), time.Now)
	bad := func(mode string) string { return ts.URL + "/bad/" + mode + "/debug/pprof/goroutine?debug=1" }

	t.Run("hang", func(t *testing.T) {
		t.Parallel()
		c := &http.Client{Timeout: 300 * time.Millisecond}
		_, err := c.Get(bad("hang"))
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Fatalf("want a client timeout, got %v", err)
		}
	})
	t.Run("reset", func(t *testing.T) {
		t.Parallel()
		_, err := http.Get(bad("reset"))
		if err == nil {
			t.Fatal("no error")
		}
		if !strings.Contains(err.Error(), "reset") && !strings.Contains(err.Error(), "EOF") {
			t.Logf("error: %v", err)
		}
	})
	t.Run("500", func(t *testing.T) {
		t.Parallel()
		resp, err := http.Get(bad("500"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 500 {
			t.Fatal(resp.Status)
		}
	})
	t.Run("garbage", func(t *testing.T) {
		t.Parallel()
		resp, err := http.Get(bad("garbage"))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || len(b) != 64<<10 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
			t.Fatalf("%s, %d bytes, %q", resp.Status, len(b), resp.Header.Get("Content-Type"))
		}
	})
	t.Run("huge", func(t *testing.T) {
		t.Parallel()
		resp, err := http.Get(bad("huge"))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.ContentLength != -1 {
			t.Errorf("Content-Length %d: the body should be streamed", resp.ContentLength)
		}
		br := bufio.NewReader(resp.Body)
		head, _ := br.ReadString('\n')
		m := totalRE.FindStringSubmatch(head)
		if m == nil {
			t.Fatalf("header %q", head)
		}
		if total, _ := strconv.Atoi(m[1]); total < 200<<20/1500*1000 {
			t.Errorf("total %d", total)
		}
		first := make([]byte, 4<<20)
		if _, err := io.ReadFull(br, first); err != nil {
			t.Fatal(err)
		}
		if n := countRE.FindAll(first, -1); len(n) < 1000 {
			t.Errorf("%d groups in the first 4 MiB", len(n))
		}
	})
	t.Run("drip", func(t *testing.T) {
		t.Parallel()
		resp, err := http.Get(bad("drip"))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b := make([]byte, 20)
		began := time.Now()
		if _, err := io.ReadFull(resp.Body, b); err != nil {
			t.Fatal(err)
		}
		if string(b) != "goroutine profile: t" || time.Since(began) < 15*5*time.Millisecond {
			t.Fatalf("%q after %v", b, time.Since(began))
		}
	})
	t.Run("slow", func(t *testing.T) {
		t.Parallel()
		began := time.Now()
		body := get(t, bad("slow"))
		if time.Since(began) < 200*time.Millisecond {
			t.Errorf("answered after %v", time.Since(began))
		}
		if total, sum := debug1Counts(t, body); total != sum || strings.Contains(body, "quotes.go:48") {
			t.Errorf("slow target: total %d, sum %d", total, sum)
		}
	})
}

func TestLoopbackOnly(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", "192.0.2.1:0", ":0"} {
		if ln, err := loopback.Listen(t.Context(), addr); err == nil {
			ln.Close()
			t.Errorf("%s accepted", addr)
		}
	}
	ln, err := loopback.Listen(t.Context(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
}
