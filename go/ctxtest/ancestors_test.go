package ctxtest_test

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"ctxguard.dev/go/ctxtest"
)

// TestOrphanWithTracebackAncestors runs itself again with
// GODEBUG=tracebackancestors=10: then a goroutine whose creator has exited is
// still traced back to the test.
func TestOrphanWithTracebackAncestors(t *testing.T) {
	if os.Getenv("CTXTEST_ANCESTORS_CHILD") == "" {
		t.Parallel()
		cmd := exec.Command(os.Args[0], "-test.run=^TestOrphanWithTracebackAncestors$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), "CTXTEST_ANCESTORS_CHILD=1", "GODEBUG=tracebackancestors=10")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestOrphanWithTracebackAncestors") {
			t.Fatalf("child: %v\n%s", err, out)
		}
		return
	}

	ft := &fakeTB{TB: t}
	ctxtest.VerifyNone(ft)
	block := make(chan struct{})
	defer close(block)
	started := make(chan struct{})
	line := nextLine()
	go func() { // exits at once, after starting the one that leaks
		go func() { <-block }()
		close(started)
	}()
	<-started
	msg := ft.finish()
	_, file, _, _ := runtime.Caller(0)
	if !strings.Contains(msg, "[chan receive], blocked") || !strings.Contains(msg, fmt.Sprintf("%s:%d", file, line+1)) {
		t.Errorf("the orphan was not reported:\n%s", msg)
	}
}
