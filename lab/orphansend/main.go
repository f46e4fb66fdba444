// Command orphansend is trap 2 of the leak lab: a result sender orphaned by
// a timeout.
//
// GET /profile?id=N looks a user profile up in a legacy directory service
// whose client takes -lookup-time and cannot be cancelled, so the handler runs
// it in a goroutine and waits for the result or its own budget, whichever
// comes first.
package main

import (
	"flag"
	"log"
	"net/http"
	"time"

	"ctxguard.dev/lab/internal/labsrv"
)

const budget = 50 * time.Millisecond

var lookupTime = flag.Duration("lookup-time", 300*time.Millisecond, "how long the legacy directory takes per lookup")

type profile struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type result struct {
	p   profile
	err error
}

// lookupProfile stands in for a legacy directory client without a context
// parameter: once called, it takes -lookup-time.
func lookupProfile(id string) (profile, error) {
	time.Sleep(*lookupTime)
	return profile{ID: id, Name: "user " + id}, nil
}

func main() {
	life, stop, leaky := labsrv.Setup()
	defer stop()

	mux := http.NewServeMux()
	if leaky {
		mux.HandleFunc("GET /profile", leakyProfile)
	} else {
		mux.HandleFunc("GET /profile", fixedProfile)
	}
	if err := labsrv.Serve(life, mux); err != nil {
		log.Fatal(err)
	}
}
