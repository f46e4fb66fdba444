package httpctx_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"ctxguard.dev/go/httpctx"
	"ctxguard.dev/go/lifecycle"
)

// printObserver prints the lifecycle stages it is told about.
type printObserver struct{}

func (printObserver) Started(route string) { fmt.Println("started", route) }
func (printObserver) Finished(route string, o lifecycle.Outcome, _ float64) {
	fmt.Println("finished", route, o)
}
func (printObserver) Cut(route string) { fmt.Println("cut", route) }

func ExampleMiddleware() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello/{name}", func(w http.ResponseWriter, r *http.Request) {
		_, hasDeadline := r.Context().Deadline()
		fmt.Println("request ID:", httpctx.RequestID(r.Context()))
		fmt.Println("trace ID:", httpctx.TraceID(r.Context()))
		fmt.Println("deadline:", hasDeadline)
		fmt.Fprintln(w, "hello", r.PathValue("name"))
	})
	// In a service: http.ListenAndServe(addr, httpctx.Middleware(mux, ...)),
	// with an Observer from ctxprom.NewObserver.
	srv := httptest.NewServer(httpctx.Middleware(mux, httpctx.Options{
		Timeout:  5 * time.Second,
		Observer: printObserver{},
	}))
	defer srv.Close()

	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/hello/gopher", nil)
	req.Header.Set("X-Request-ID", "req-1")
	req.Header.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Print(string(body))
	fmt.Println("response ID:", resp.Header.Get("X-Request-ID"))

	// Output:
	// started GET /hello/{name}
	// request ID: req-1
	// trace ID: 4bf92f3577b34da6a3ce929d0e0e4736
	// deadline: true
	// finished GET /hello/{name} completed
	// hello gopher
	// response ID: req-1
}
