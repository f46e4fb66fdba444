package ctxtrack_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"ctxguard.dev/go/ctxtrack"
)

func keys(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func TestHandlerJSONMatchesTheContract(t *testing.T) {
	t.Parallel()
	tr := ctxtrack.New(ctxtrack.Options{SampleRate: 1, MaxAge: 1500 * time.Millisecond})
	line := nextLine()
	_, cancel := tr.WithTimeout(context.Background(), time.Hour)
	defer cancel()

	srv := httptest.NewServer(tr.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + ctxtrack.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("status %d, content type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var doc map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	want := "ctxguard_contexts go_version max_age_s sample_rate sites time"
	if got := strings.Join(keys(doc), " "); got != want {
		t.Errorf("report fields %q, want %q", got, want)
	}
	if doc["ctxguard_contexts"] != 1.0 || doc["sample_rate"] != 1.0 || doc["max_age_s"] != 1.5 {
		t.Errorf("header %v", doc)
	}
	if ts, _ := doc["time"].(string); ts == "" {
		t.Errorf("time %v", doc["time"])
	} else if _, err := time.Parse(time.RFC3339Nano, ts); err != nil {
		t.Errorf("time %q: %v", ts, err)
	}
	if gv, _ := doc["go_version"].(string); !strings.HasPrefix(gv, "go") {
		t.Errorf("go_version %v", doc["go_version"])
	}
	sites, _ := doc["sites"].([]any)
	if len(sites) != 1 {
		t.Fatalf("sites %v", doc["sites"])
	}
	s, _ := sites[0].(map[string]any)
	wantSite := "cancelled collected_uncancelled created file function kind line live oldest_age_s over_max_age"
	if got := strings.Join(keys(s), " "); got != wantSite {
		t.Errorf("site fields %q, want %q", got, wantSite)
	}
	_, file, _, _ := runtime.Caller(0)
	if s["file"] != file || s["line"] != float64(line) || s["kind"] != "WithTimeout" ||
		s["live"] != 1.0 || s["created"] != 1.0 || s["cancelled"] != 0.0 || s["collected_uncancelled"] != 0.0 ||
		s["over_max_age"] != 0.0 || !strings.HasSuffix(s["function"].(string), ".TestHandlerJSONMatchesTheContract") {
		t.Errorf("site %v", s)
	}
	if age, _ := s["oldest_age_s"].(float64); age <= 0 || age > 60 {
		t.Errorf("oldest_age_s %v", s["oldest_age_s"])
	}
}

func TestHandlerEmptySitesIsAnArray(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	ctxtrack.New(ctxtrack.Options{}).Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, ctxtrack.Path, nil))
	if !strings.Contains(rec.Body.String(), `"sites":[]`) {
		t.Errorf("body %s", rec.Body)
	}
}

func TestHandlerRejectsOtherMethods(t *testing.T) {
	t.Parallel()
	h := ctxtrack.New(ctxtrack.Options{}).Handler()
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodHead} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(m, ctxtrack.Path, strings.NewReader("{}")))
		if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != http.MethodGet {
			t.Errorf("%s: status %d, Allow %q", m, rec.Code, rec.Header().Get("Allow"))
		}
	}
}

func TestPackageHandlerServesDefault(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	ctxtrack.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, ctxtrack.Path, nil))
	var r ctxtrack.Report
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil || rec.Code != 200 || r.Version != 1 {
		t.Errorf("status %d, err %v, report %+v", rec.Code, err, r)
	}
}
