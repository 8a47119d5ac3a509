package cli

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine's writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestServeDemo(t *testing.T) {
	var out, errb syncBuffer
	o := &Options{stdout: &out, stderr: &errb}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, o, serveConfig{Addr: "127.0.0.1:0", Workspace: filepath.Join(t.TempDir(), "w.db"), Demo: true,
			ready: func(a string) { ready <- a }})
	}()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("serve: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not start")
	}
	if !strings.Contains(out.String(), "http://"+addr+"/") {
		t.Errorf("no URL printed: %q", out.String())
	}
	m := regexp.MustCompile(`setup token (\S+)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no setup token printed: %q", out.String())
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/setup" {
		t.Errorf("GET /: %d → %q, want the setup page", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, err = client.Get("http://" + addr + "/api/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `"openapi"`) {
		t.Errorf("openapi: %.100s", b)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("shutdown: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("no graceful shutdown")
	}
	if !strings.Contains(errb.String(), "shutting down") {
		t.Errorf("stderr: %q", errb.String())
	}
}

func TestServeLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:8080": true, "localhost:80": true, "[::1]:8080": true,
		"0.0.0.0:8080": false, ":8080": false, "192.168.1.5:8080": false, "[::]:80": false, "nonsense": false,
	} {
		if got := isLoopback(addr); got != want {
			t.Errorf("isLoopback(%q) = %v, want %v", addr, got, want)
		}
	}
}

func TestServeFlags(t *testing.T) {
	o := &Options{stdout: io.Discard, stderr: io.Discard}
	cmd := newServeCommand(o)
	if f := cmd.Flags().Lookup("addr"); f == nil || f.DefValue != "127.0.0.1:8080" {
		t.Fatalf("--addr default: %+v", f)
	}
	cmd.SetArgs([]string{"--workspace", "a.db", "--database", "postgres://x"})
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	if err := cmd.Execute(); err == nil || !strings.Contains(err.Error(), "exclude") {
		t.Errorf("--workspace with --database: %v", err)
	}
}
