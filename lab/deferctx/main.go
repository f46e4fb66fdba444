// Command deferctx is trap 5 of the leak lab: a derived context discarded
// in a defer chain (article section 2.4).
//
// POST /upload?id=N stores a blob and, in a deferred step, writes an audit
// row. The audit must be written even if the client has hung up, so it
// runs on a context detached from the request's cancellation, bounded by
// auditBudget. The audit database is stuck (every statement takes
// -audit-delay, an hour by default).
package main

import (
	"database/sql"
	"flag"
	"io"
	"log"
	"net/http"
	"time"

	"ctxguard.dev/lab/internal/labsrv"
	_ "ctxguard.dev/lab/internal/slowdb"
)

const auditBudget = 100 * time.Millisecond

type server struct {
	audit *sql.DB
}

// store stands in for the blob store: it reads the body and returns its size.
func store(r *http.Request) (int64, error) {
	return io.Copy(io.Discard, r.Body)
}

func main() {
	delay := flag.Duration("audit-delay", time.Hour, "how long each audit statement takes")
	life, stop, leaky := labsrv.Setup()
	defer stop()

	audit, err := sql.Open("slowdb", "delay="+delay.String())
	if err != nil {
		log.Fatal(err)
	}
	defer audit.Close()
	s := &server{audit: audit}

	mux := http.NewServeMux()
	if leaky {
		mux.HandleFunc("POST /upload", s.leakyUpload)
	} else {
		mux.HandleFunc("POST /upload", s.fixedUpload)
	}
	if err := labsrv.Serve(life, mux); err != nil {
		log.Fatal(err)
	}
}
