package ctxtest

import (
	"reflect"
	"sort"
	"testing"
)

// dump is a made-up goroutine dump in the Go 1.21+ format: goroutine 5 is the
// test; 6 its child; 8 a child of 6; 9 a child of goroutine 7, which has
// exited, traced back through GODEBUG=tracebackancestors; 10 a child of 7
// without that; 11 started by another test (4); 12 and 13 by the runtime and
// package testing; 14 a timer's function; 15 started by a subtest of 5;
// 16 a runnable child of 5; 17 os/signal's loop; 18 started by a subtest of
// 5 (19, gone), traced back through its ancestors.
const dump = `goroutine 5 [running]:
example.TestA(0xc000003380)
	/src/a_test.go:10 +0x1d
testing.tRunner(0xc000003380, 0x5a3b10)
	/go/src/testing/testing.go:1690 +0xf4
created by testing.(*T).Run in goroutine 1
	/go/src/testing/testing.go:1743 +0x390

goroutine 6 gp=0xc000102000 m=nil [chan receive, 3 minutes]:
example.TestA.func1()
	/src/a_test.go:12 +0x25
created by example.TestA in goroutine 5
	/src/a_test.go:11 +0x65

goroutine 8 [sync.Mutex.Lock]:
sync.runtime_SemacquireMutex(0x0?, 0x0?, 0x0?)
	/go/src/runtime/sema.go:77 +0x25
sync.(*Mutex).lockSlow(0xc0000120a0)
	/go/src/sync/mutex.go:171 +0x15d
sync.(*Mutex).Lock(...)
	/go/src/sync/mutex.go:90
example.(*T).helper[...](...)
	/src/a_test.go:20
...additional frames elided...
created by example.TestA.func1 in goroutine 6
	/src/a_test.go:13 +0x69

goroutine 9 [select]:
example.worker()
	/src/a_test.go:30 +0x10
created by example.spawn in goroutine 7
	/src/a_test.go:29 +0x20
[originating from goroutine 7]:
example.spawn(...)
	/src/a_test.go:28 +0x69
created by example.TestA
	/src/a_test.go:14 +0xd0
[originating from goroutine 5]:
example.TestA(...)
	/src/a_test.go:14 +0xd0

goroutine 10 [IO wait]:
example.worker()
	/src/a_test.go:30 +0x10
created by example.spawn in goroutine 7
	/src/a_test.go:29 +0x20

goroutine 11 [chan send]:
example.TestB.func1()
	/src/b_test.go:12 +0x25
created by example.TestB in goroutine 4
	/src/b_test.go:11 +0x65

goroutine 12 [finalizer wait]:
runtime.gopark(0x0?, 0x0?, 0x0?, 0x0?, 0x0?)
	/go/src/runtime/proc.go:424 +0xce
created by runtime.createfing in goroutine 5
	/go/src/runtime/mfinal.go:163 +0x3d

goroutine 13 [chan receive]:
testing.(*T).Parallel(0xc000003520)
	/go/src/testing/testing.go:1484 +0x215
created by testing.(*T).Run in goroutine 5
	/go/src/testing/testing.go:1743 +0x390

goroutine 14 [chan receive]:
example.TestA.func2()
	/src/a_test.go:40 +0x25
created by time.goFunc in goroutine 5
	/go/src/time/sleep.go:215 +0x2d

goroutine 15 [chan receive]:
example.TestA.func3.1()
	/src/a_test.go:50 +0x25
created by example.TestA.func3 in goroutine 13
	/src/a_test.go:49 +0x65

goroutine 16 [runnable]:
example.TestA.func4()
	/src/a_test.go:60
created by example.TestA in goroutine 5
	/src/a_test.go:59 +0x65

goroutine 18 [chan receive]:
example.TestA.func5.1()
	/src/a_test.go:70 +0x25
created by example.TestA.func5 in goroutine 19
	/src/a_test.go:69 +0x65
[originating from goroutine 19]:
example.TestA.func5(...)
	/src/a_test.go:69 +0x65
created by testing.(*T).Run
	/go/src/testing/testing.go:1743 +0x390
[originating from goroutine 5]:
example.TestA(...)
	/src/a_test.go:68 +0xd0

goroutine 17 [syscall]:
os/signal.signal_recv()
	/go/src/runtime/sigqueue.go:152 +0x29
os/signal.loop()
	/go/src/os/signal/signal_unix.go:23 +0x13
created by os/signal.Notify.func1.1 in goroutine 5
	/go/src/os/signal/signal.go:151 +0x1f
`

func TestParse(t *testing.T) {
	gs := parse(dump)
	if len(gs) != 13 {
		t.Fatalf("%d goroutines", len(gs))
	}
	g6 := gs[1]
	if g6.id != 6 || g6.state != "chan receive, 3 minutes" || g6.stateName() != "chan receive" || g6.parent != 5 ||
		g6.createdBy != (frame{"example.TestA", "/src/a_test.go:11"}) ||
		!reflect.DeepEqual(g6.frames, []frame{{"example.TestA.func1", "/src/a_test.go:12"}}) {
		t.Errorf("goroutine 6: %+v", g6)
	}
	g8 := gs[2]
	if len(g8.frames) != 4 || g8.frames[3] != (frame{"example.(*T).helper[...]", "/src/a_test.go:20"}) ||
		g8.frames[1].function != "sync.(*Mutex).lockSlow" || !g8.active() {
		t.Errorf("goroutine 8: %+v", g8)
	}
	g9 := gs[3]
	if !reflect.DeepEqual(g9.ancestors, []ancestor{{7, "example.TestA"}, {5, ""}}) || len(g9.frames) != 1 || g9.parent != 7 {
		t.Errorf("goroutine 9: %+v", g9)
	}
	if gs[0].stateName() != "running" || !gs[0].active() || gs[4].active() {
		t.Errorf("states: %q %q", gs[0].state, gs[4].state)
	}
}

func TestDescendants(t *testing.T) {
	var ids []int64
	for _, g := range descendants(parse(dump), 5, &config{}) {
		ids = append(ids, g.id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	// 6 and 16 directly, 8 through 6, 9 through its recorded ancestors; not
	// 10 (creator gone, no ancestors), 11 (another test), 12 (runtime),
	// 13 (testing), 14 (timer), 15 (started by a subtest's goroutine),
	// 17 (os/signal), 18 (a subtest's, through its ancestors).
	if want := []int64{6, 8, 9, 16}; !reflect.DeepEqual(ids, want) {
		t.Errorf("descendants of 5: %v, want %v", ids, want)
	}
	ids = ids[:0]
	for _, g := range descendants(parse(dump), 5, &config{
		ignoreTop:  []string{"sync.runtime_SemacquireMutex"},
		ignoreFrom: []string{"example.spawn"},
	}) {
		ids = append(ids, g.id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	if want := []int64{6, 16}; !reflect.DeepEqual(ids, want) {
		t.Errorf("with ignores: %v, want %v", ids, want)
	}
}

func TestHeaderID(t *testing.T) {
	for s, want := range map[string]int64{
		"goroutine 12 [running]:":              12,
		"goroutine 7 gp=0xc0 m=3 mp=0xc0 [x]:": 7,
	} {
		if got, ok := headerID(s); !ok || got != want {
			t.Errorf("headerID(%q) = %d, %v", s, got, ok)
		}
	}
	if _, ok := headerID("created by x"); ok {
		t.Error("headerID accepted a non-header")
	}
	if currentID() <= 0 {
		t.Error("currentID")
	}
}
