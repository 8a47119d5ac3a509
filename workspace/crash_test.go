package workspace

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// crashChildEnv, when set to a DSN, turns the test binary into the writer
// of TestCrashSafety.
const crashChildEnv = "KAIWU_CRASH_CHILD_DSN"

// TestMain runs the crash child when asked to, and the tests otherwise.
func TestMain(m *testing.M) {
	if dsn := os.Getenv(crashChildEnv); dsn != "" {
		os.Exit(crashChild(dsn))
	}
	os.Exit(m.Run())
}

// crashChild writes in a loop until it is killed: updates of two
// documents and a create/delete cycle of a third, printing "kind name
// version" after each commit returns — the acknowledgement the parent
// holds the store to.
func crashChild(dsn string) int {
	ctx := context.Background()
	s, err := Open(ctx, dsn)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	pad := strings.Repeat("# padding so that a write spans several pages\n", 200)
	for i := 0; ; i++ {
		kind, name := KindProfile, "main"
		body := fmt.Sprintf("name: Crash %d\ncurrency: CNY\n%s", i, pad)
		if i%3 == 1 {
			kind, name = KindRunway, "main"
			body = fmt.Sprintf("currency: CNY\nstart: 2026-01\nopening_cash: %d\n%s", 1000+i, pad)
		}
		if i%3 == 2 {
			name = "temp"
		}
		var expect int64
		cur, err := s.Get(ctx, kind, name)
		if err == nil {
			expect = cur.Version
		}
		if name == "temp" && err == nil {
			if err := s.Delete(ctx, kind, name, expect, "child"); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 3
			}
			fmt.Printf("%s %s %d deleted\n", kind, name, expect+1)
			continue
		}
		d, err := s.Put(ctx, kind, name, body, expect, "child")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 3
		}
		fmt.Printf("%s %s %d\n", kind, name, d.Version)
	}
}

// TestCrashSafety kills a writing process with SIGKILL, several times at
// different moments, and shows the workspace then opens consistent: every
// document parses, each name's audit versions are contiguous and agree
// with the document, and no write the child saw committed is lost.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	each(t, func(t *testing.T, s *DB, dsn string) {
		s.Close()
		ctx := context.Background()
		acked := map[string]int64{} // kind/name → newest acknowledged version
		for round, after := range []int{5, 17, 40} {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), crashChildEnv+"="+dsn)
			cmd.Stderr = os.Stderr
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			sc := bufio.NewScanner(out)
			n := 0
			deadline := time.AfterFunc(60*time.Second, func() { _ = cmd.Process.Kill() })
			for sc.Scan() {
				f := strings.Fields(sc.Text())
				if len(f) < 3 {
					t.Fatalf("child said %q", sc.Text())
				}
				v, _ := strconv.ParseInt(f[2], 10, 64)
				acked[f[0]+"/"+f[1]] = v
				if n++; n == after {
					// Let it run into its next write, then kill it.
					time.Sleep(time.Duration(round+1) * time.Millisecond)
					if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
						t.Fatal(err)
					}
				}
			}
			deadline.Stop()
			err = cmd.Wait()
			if n < after {
				t.Fatalf("round %d: the child stopped after %d writes: %v", round, n, err)
			}
			if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
				t.Fatalf("round %d: child was not killed by SIGKILL: %v", round, err)
			}
			re, err := OpenDB(ctx, dsn)
			if err != nil {
				t.Fatalf("round %d: reopening after the crash: %v", round, err)
			}
			checkConsistent(t, re)
			for k, v := range acked {
				kind, name, _ := strings.Cut(k, "/")
				last, err := re.lastVersion(ctx, re.db, Kind(kind), name)
				if err != nil {
					t.Fatal(err)
				}
				// The child may have committed one more write that it did
				// not live to print; it may never have fewer.
				if last < v {
					t.Fatalf("round %d: %s acknowledged at version %d, the store has %d: a committed write was lost", round, k, v, last)
				}
			}
			re.Close()
			t.Logf("round %d: killed after %d acknowledged writes", round, n)
		}
	})
}
