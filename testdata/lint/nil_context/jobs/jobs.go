// Package jobs calls audit's functions: nil is no more a context there than here.
package jobs

import "fixture/audit"

func Run(s *audit.Sink) {
	_ = audit.Record(nil, "start") // want `CG204 nil passed as the context of audit.Record: nil is never a valid context`
	audit.Log(nil, "start")        // want `CG204 nil passed as the context of audit.Log`
	_ = s.Write(nil, nil)          // want `CG204 nil passed as the context of s.Write`
	_ = audit.Name(nil)            // ok: not a context parameter
}
