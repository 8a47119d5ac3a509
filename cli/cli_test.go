package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// run executes the CLI with args and returns stdout, stderr and the error.
func run(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	root := NewRootCommand(&out, &errb, args)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), errb.String(), err
}

func TestVersionJSON(t *testing.T) {
	out, _, err := run(t, "version", "--json", "--threads", "1")
	if err != nil {
		t.Fatal(err)
	}
	var v VersionInfo
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("version --json is not JSON: %v\n%s", err, out)
	}
	if v.Version == "" || v.Threads != 1 || !strings.Contains(v.Platform, "/") {
		t.Fatalf("unexpected version info %+v", v)
	}
	switch v.GEMMPath {
	case "avx512", "avx2", "generic":
	default:
		t.Fatalf("gemm_path %q is not one of avx512, avx2, generic", v.GEMMPath)
	}
}

func TestVersionTableInChinese(t *testing.T) {
	out, _, err := run(t, "--lang", "zh", "version")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "版本") || !strings.Contains(out, "线程数") {
		t.Fatalf("Chinese table lacks translated labels:\n%s", out)
	}
}

func TestBadGlobalFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--lang", "fr", "version"}, "--lang"},
		{[]string{"--threads", "0", "version"}, "--threads 0"},
		{[]string{"--threads", "-3", "version"}, "--threads -3"},
		{[]string{"bench", "gemm", "--sizes", "12,abc"}, `"abc"`},
		{[]string{"bench", "gemm", "--sizes", "0"}, `"0"`},
		{[]string{"nosuch"}, "unknown command"},
	} {
		_, _, err := run(t, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want one mentioning %s", tc.args, err, tc.want)
		}
	}
}

func TestThreadsFromEnv(t *testing.T) {
	for _, tc := range []struct {
		v       string
		want    int
		wantErr bool
	}{{"", 0, false}, {"3", 3, false}, {"0", 0, true}, {"x", 0, true}, {"-1", 0, true}} {
		n, err := threadsFromEnv(func(string) string { return tc.v })
		if n != tc.want || (err != nil) != tc.wantErr {
			t.Errorf("KAIWU_NUM_THREADS=%q: got %d, %v", tc.v, n, err)
		}
	}
}

func TestLang(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	for _, tc := range []struct {
		env  map[string]string
		want Lang
	}{
		{map[string]string{"LANG": "zh_CN.UTF-8"}, LangZH},
		{map[string]string{"LANG": "en_US.UTF-8"}, LangEN},
		{map[string]string{"LC_ALL": "en_GB", "LANG": "zh_CN"}, LangEN},
		{map[string]string{"LC_MESSAGES": "zh_TW.UTF-8"}, LangZH},
		{map[string]string{"LANG": "de_DE"}, LangEN},
		{map[string]string{}, LangEN},
	} {
		if got := LangFromEnv(env(tc.env)); got != tc.want {
			t.Errorf("%v: got %s, want %s", tc.env, got, tc.want)
		}
	}
	if l, ok := langFromArgs([]string{"bench", "--lang=zh"}); !ok || l != LangZH {
		t.Errorf("langFromArgs(--lang=zh) = %v, %v", l, ok)
	}
}

func TestEveryMessageHasBothLanguages(t *testing.T) {
	for k, m := range messages {
		if strings.TrimSpace(m[0]) == "" || strings.TrimSpace(m[1]) == "" {
			t.Errorf("message %q lacks a translation: %q", k, m)
		}
	}
	if T(LangZH, "no.such.key") != "no.such.key" {
		t.Error("unknown keys must be shown as is")
	}
}

func TestTableAlignsWideCharacters(t *testing.T) {
	var b bytes.Buffer
	tab := Table{Header: []string{"名称", "n"}, Rows: [][]string{{"a", "1"}, {"训练准确率", "100"}}, Right: map[int]bool{1: true}}
	if err := tab.Write(&b); err != nil {
		t.Fatal(err)
	}
	want := "名称          n\n" +
		"----------  ---\n" +
		"a             1\n" +
		"训练准确率  100\n"
	if b.String() != want {
		t.Fatalf("table:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestDemoMLPJSON(t *testing.T) {
	out, errOut, err := run(t, "demo", "mlp", "--json", "--epochs", "60", "--points", "100", "--hidden", "32")
	if err != nil {
		t.Fatal(err)
	}
	var r DemoMLPResult
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("demo mlp --json is not JSON (progress must go to stderr): %v\n%s", err, out)
	}
	if r.TrainSamples != 160 || r.TestSamples != 40 || len(r.LossCurve) != 60 || r.Parameters != 2*32+32+32*32+32+32*2+2 {
		t.Fatalf("unexpected summary %+v", r)
	}
	if r.TrainAccuracy < 0.9 {
		t.Fatalf("train accuracy %.3f after 60 epochs", r.TrainAccuracy)
	}
	if !strings.Contains(errOut, "/60)") {
		t.Fatalf("no progress bar on stderr: %q", errOut)
	}
}

func TestDemoMLPRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"demo", "mlp", "--epochs", "0"},
		{"demo", "mlp", "--points", "3"},
		{"demo", "mlp", "--lr", "-1"},
		{"demo", "mlp", "--batch", "0"},
	} {
		if _, _, err := run(t, args...); err == nil || !strings.Contains(err.Error(), args[2]) {
			t.Errorf("%v: error %v should name %s", args, err, args[2])
		}
	}
}

func TestBenchJSONFields(t *testing.T) {
	out, _, err := run(t, "bench", "gemm", "--sizes", "32", "--rounds", "1", "--json", "--threads", "1")
	if err != nil {
		t.Fatal(err)
	}
	var rs []map[string]any
	if err := json.Unmarshal([]byte(out), &rs); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"op", "size", "threads", "gflops", "ms"} {
		if _, ok := rs[0][k]; !ok {
			t.Errorf("bench gemm --json lacks %q: %v", k, rs[0])
		}
	}
	if rs[0]["gflops"].(float64) <= 0 {
		t.Errorf("gflops %v", rs[0]["gflops"])
	}
	out, _, err = run(t, "bench", "mlp", "--batch", "8", "--rounds", "1", "--json", "--threads", "1")
	if err != nil {
		t.Fatal(err)
	}
	rs = nil
	if err := json.Unmarshal([]byte(out), &rs); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"op", "batch", "threads", "gflops", "ms", "allocs_per_step"} {
		if _, ok := rs[0][k]; !ok {
			t.Errorf("bench mlp --json lacks %q: %v", k, rs[0])
		}
	}
	if a := rs[0]["allocs_per_step"].(float64); a != 0 {
		t.Errorf("a warm MLP step allocates %.1f times", a)
	}
}

func TestReadDocumentLimits(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, bytes.Repeat([]byte("#"), maxDocumentBytes+1), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readDocument(big); err == nil || !strings.Contains(err.Error(), "big.yaml") || !strings.Contains(err.Error(), "16 MiB") {
		t.Fatalf("oversized document: %v", err)
	}
	exact := filepath.Join(dir, "exact.yaml")
	if err := os.WriteFile(exact, bytes.Repeat([]byte("#"), maxDocumentBytes), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := readDocument(exact); err != nil || len(b) != maxDocumentBytes {
		t.Fatalf("a document at the limit: %d bytes, %v", len(b), err)
	}
	if _, err := readDocument(filepath.Join(dir, "missing.yaml")); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Fatalf("missing file: %v", err)
	}
	if _, err := readDocument(""); err == nil || !strings.Contains(err.Error(), "-f FILE") {
		t.Fatalf("no path: %v", err)
	}
}

func TestExitCode(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want int
	}{
		{"ok", nil, ExitOK},
		{"error", errors.New("--amount: missing"), ExitError},
		{"usage", usageError{errors.New("unknown flag: --x")}, ExitUsage},
		{"wrapped usage", fmt.Errorf("bench: %w", usageError{errors.New("x")}), ExitUsage},
		{"interrupted", fmt.Errorf("interrupted: %w", fmt.Errorf("train: canceled at step 3: %w", context.Canceled)), ExitInterrupted},
		{"canceled", context.Canceled, ExitInterrupted},
		{"deadline", context.DeadlineExceeded, ExitError},
	} {
		if got := exitCode(tc.err); got != tc.want {
			t.Errorf("%s: exitCode(%v) = %d, want %d", tc.name, tc.err, got, tc.want)
		}
	}
}

// execute gives each kind of failure its exit code and, for a mistake in
// the command line, points to the command's help in the user's language.
func TestExecuteExitCodes(t *testing.T) {
	for _, tc := range []struct {
		args       []string
		code       int
		stderr     []string
		stdoutHave string
	}{
		{[]string{"version", "--json"}, ExitOK, nil, `"version"`},
		{[]string{"finance"}, ExitOK, nil, "Available Commands"},
		{[]string{"--lang", "en", "nosuch"}, ExitUsage, []string{`kaiwu: unknown command "nosuch" for "kaiwu"`, "Run 'kaiwu --help' for usage."}, ""},
		{[]string{"--lang", "en", "finance", "chanels"}, ExitUsage, []string{`unknown command "chanels" for "kaiwu finance"`, "Did you mean this?\n\tchannels", "Run 'kaiwu finance --help'"}, ""},
		{[]string{"finance", "channels", "--bogus", "--lang=en"}, ExitUsage, []string{"unknown flag: --bogus", "Run 'kaiwu finance channels --help'"}, ""},
		{[]string{"--lang", "zh", "finance", "channels", "--bogus"}, ExitUsage, []string{"运行 'kaiwu finance channels --help' 查看用法。"}, ""},
		{[]string{"finance", "channels", "extra"}, ExitUsage, []string{`unknown command "extra"`}, ""},
		{[]string{"--threads", "x", "version"}, ExitUsage, []string{`invalid argument "x" for "--threads"`}, ""},
		{[]string{"--threads", "0", "version"}, ExitUsage, []string{"--threads 0"}, ""},
		{[]string{"--lang", "fr", "version"}, ExitUsage, []string{"--lang"}, ""},
		{[]string{"finance", "channels", "--stage", "seed"}, ExitError, []string{"kaiwu: --amount: missing"}, ""},
	} {
		var out, errb bytes.Buffer
		code := execute(tc.args, &out, &errb)
		if code != tc.code {
			t.Errorf("%v: exit code %d, want %d (stderr %q)", tc.args, code, tc.code, errb.String())
		}
		for _, s := range tc.stderr {
			if !strings.Contains(errb.String(), s) {
				t.Errorf("%v: stderr %q lacks %q", tc.args, errb.String(), s)
			}
		}
		if tc.code != ExitUsage && strings.Contains(errb.String(), "--help") {
			t.Errorf("%v: a usage hint for a non-usage outcome: %q", tc.args, errb.String())
		}
		if !strings.Contains(out.String(), tc.stdoutHave) {
			t.Errorf("%v: stdout lacks %q:\n%s", tc.args, tc.stdoutHave, out.String())
		}
	}
}
