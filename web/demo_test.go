package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kaiwu-ai/kaiwu/web/i18n"
	"github.com/kaiwu-ai/kaiwu/workspace"
)

// demoHarness is a server over a real SQLite workspace seeded with the
// demo data, and an owner's session cookie.
func demoHarness(tb testing.TB) (*harness, string) {
	tb.Helper()
	ctx := context.Background()
	st, err := workspace.Open(ctx, filepath.Join(tb.TempDir(), "demo.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	if err := workspace.SeedDemo(ctx, st, "demo"); err != nil {
		tb.Fatal(err)
	}
	u, err := st.CreateUser(ctx, "owner", "password-owner", workspace.RoleOwner)
	if err != nil {
		tb.Fatal(err)
	}
	tok, err := st.CreateSession(ctx, u.ID, time.Hour)
	if err != nil {
		tb.Fatal(err)
	}
	if err := st.SetUserLang(ctx, u.ID, "en"); err != nil {
		tb.Fatal(err)
	}
	s := newServer(st, Options{SetupToken: testSetupToken})
	return &harness{tb: tb, srv: s, h: s.handler(), real: st, owner: u.ID}, sessionCookie + "=" + tok
}

// demoPages are the dashboard pages with what each must show on the demo
// workspace.
var demoPages = []struct {
	path string
	want []string
}{
	{"/", []string{"<svg", "Runway", "Compute spend"}},
	{"/captable", []string{"<svg", "Fully diluted", "<textarea"}},
	{"/rounds?scenario=plan", []string{"<svg"}},
	{"/rounds?pre_money=60M&investor=Lead&amount=12M&pool_target=12%25", []string{"Price per share", "<svg"}},
	{"/exits", []string{"Payout per holder", "<svg"}},
	{"/valuation", []string{"Football field", "<svg"}},
	{"/runway", []string{"Cash balance", "<svg"}},
	{"/compute", []string{"Training cost", "<svg"}},
	{"/channels", []string{"<meter"}},
	{"/history", []string{"company/main"}},
}

func TestDemoPages(t *testing.T) {
	h, cookie := demoHarness(t)
	for _, lang := range []string{"en", "zh"} {
		if err := h.real.SetUserLang(context.Background(), h.owner, lang); err != nil {
			t.Fatal(err)
		}
		for _, p := range demoPages {
			w := h.do(req{path: p.path, cookie: cookie})
			body := w.Body.String()
			if w.Code != http.StatusOK {
				t.Errorf("%s [%s]: %d", p.path, lang, w.Code)
			}
			if m := regexp.MustCompile(`class="alert"[^<]*<`).FindString(body); m != "" {
				t.Errorf("%s [%s]: error shown: %s", p.path, lang, m)
			}
			if !strings.Contains(body, "banner demo") {
				t.Errorf("%s [%s]: no demo banner", p.path, lang)
			}
			if lang == "en" {
				for _, s := range p.want {
					if !strings.Contains(body, s) {
						t.Errorf("%s: no %q", p.path, s)
					}
				}
			}
		}
	}
	// The API over the demo workspace.
	for _, p := range []string{"/api/captable", "/api/runway", "/api/valuation/football-field", "/api/compute/train",
		"/api/compute/memory", "/api/compute/serve", "/api/exits?to=500M", "/api/waterfall?exit=300M"} {
		if w := h.do(req{path: p, cookie: cookie}); w.Code != http.StatusOK {
			t.Errorf("%s: %d %.300s", p, w.Code, w.Body)
		}
	}
}

// BenchmarkPages measures server-side rendering of each page on the demo
// workspace (SQLite), store reads and domain computations included.
func BenchmarkPages(b *testing.B) {
	h, cookie := demoHarness(b)
	for _, p := range demoPages {
		name := strings.NewReplacer("/", "_", "?", "_", "&", "_", "=", "-", "%", "").Replace(p.path)
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				w := h.do(req{path: p.path, cookie: cookie})
				if w.Code != http.StatusOK {
					b.Fatalf("%d", w.Code)
				}
			}
		})
	}
}

// LoadResult is what runLoad measured.
type LoadResult struct {
	Requests, Errors int
	Elapsed          time.Duration
	PerSecond        float64
	P50, P99         time.Duration
}

// runLoad sends total requests (GET path) from clients concurrent
// clients to a real loopback server and reports throughput and latency.
// It is bounded: it stops after total requests, whatever the timing.
func runLoad(tb testing.TB, handler http.Handler, path, cookie string, clients, total int) LoadResult {
	tb.Helper()
	srv := httptest.NewServer(handler)
	defer srv.Close()
	client := srv.Client()
	client.Transport.(*http.Transport).MaxIdleConnsPerHost = clients
	jobs := make(chan struct{}, total)
	for range total {
		jobs <- struct{}{}
	}
	close(jobs)
	lat := make([][]time.Duration, clients)
	errs := make([]int, clients)
	var wg sync.WaitGroup
	start := time.Now()
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range jobs {
				q, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
				q.Header.Set("Cookie", cookie)
				t0 := time.Now()
				resp, err := client.Do(q)
				if err != nil {
					errs[c]++
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				lat[c] = append(lat[c], time.Since(t0))
				if resp.StatusCode != http.StatusOK {
					errs[c]++
				}
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	var all []time.Duration
	r := LoadResult{Elapsed: el}
	for c := range clients {
		all = append(all, lat[c]...)
		r.Errors += errs[c]
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	r.Requests = len(all)
	if len(all) > 0 {
		r.P50 = all[len(all)/2]
		r.P99 = all[min(len(all)-1, len(all)*99/100)]
	}
	r.PerSecond = float64(r.Requests) / el.Seconds()
	return r
}

// TestLoad runs a small bounded load against the API on loopback: zero
// errors is the assertion; the numbers are logged (go test -v), never
// asserted.
func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	h, cookie := demoHarness(t)
	for _, path := range []string{"/api/captable", "/api/documents/company/main", "/runway"} {
		r := runLoad(t, h.h, path, cookie, 8, 200)
		if r.Errors != 0 {
			t.Errorf("%s: %d errors", path, r.Errors)
		}
		t.Logf("%s: %d requests, 8 clients: %.0f req/s, p50 %v, p99 %v", path, r.Requests, r.PerSecond, r.P50, r.P99)
	}
}

// BenchmarkAPILoad reports requests/s and p99 of 16 concurrent clients
// reading the cap table.
func BenchmarkAPILoad(b *testing.B) {
	h, cookie := demoHarness(b)
	b.ResetTimer()
	r := runLoad(b, h.h, "/api/captable", cookie, 16, max(b.N, 64))
	if r.Errors != 0 {
		b.Fatalf("%d errors", r.Errors)
	}
	b.ReportMetric(r.PerSecond, "req/s")
	b.ReportMetric(float64(r.P99.Microseconds())/1000, "p99-ms")
}

// TestCatalogue checks every message has both languages and every key a
// template or handler uses exists.
func TestCatalogue(t *testing.T) {
	for _, k := range i18n.Keys() {
		en, zh := i18n.Pair(k)
		if strings.TrimSpace(en) == "" || strings.TrimSpace(zh) == "" {
			t.Errorf("%s: en %q zh %q", k, en, zh)
		}
	}
	used := map[string]bool{}
	lit := regexp.MustCompile(`\.T "([a-z0-9_.]+)"|v\.T\("([a-z0-9_.]+)"\)|(?:Title|Title, v\.Nav) = "([a-z0-9_.]+)"`)
	files, _ := filepath.Glob("templates/*.html")
	goFiles, _ := filepath.Glob("*.go")
	for _, f := range append(files, goFiles...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, _ := templateFSOrFile(f)
		for _, m := range lit.FindAllStringSubmatch(string(b), -1) {
			used[m[1]+m[2]+m[3]] = true
		}
	}
	// Keys built at run time.
	for _, p := range []string{"nav.", "role.", "kind.", "rounds.method.", "valuation.method.", "runway.scenario.", "choice.", "action."} {
		found := false
		for _, k := range i18n.Keys() {
			found = found || strings.HasPrefix(k, p)
		}
		if !found {
			t.Errorf("no %s* keys", p)
		}
	}
	for k := range used {
		if !i18n.Has(k) {
			t.Errorf("key %q is used but not in the catalogue", k)
		}
	}
	if len(used) < 100 {
		t.Errorf("found only %d keys: is the pattern right?", len(used))
	}
	_ = fmt.Sprint()
}

func templateFSOrFile(name string) ([]byte, error) { return osReadFile(name) }
