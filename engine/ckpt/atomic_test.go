package ckpt

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// failingWriter writes half of a checkpoint, then fails.
func writeHalfThenFail(data []byte) func(io.Writer) error {
	return func(w io.Writer) error {
		if _, err := w.Write(data[:len(data)/2]); err != nil {
			return err
		}
		return errors.New("disk on fire")
	}
}

func sampleFile(v float32) *File {
	big := make([]float32, 1<<19) // 2 MiB, larger than the write buffer
	for i := range big {
		big[i] = v
	}
	return &File{Tensors: []Tensor{F32Tensor("w", big, len(big))}, Metadata: map[string]string{"v": "x"}}
}

func checkHolds(t *testing.T, path string, v float32) {
	t.Helper()
	f, err := ReadFile(path)
	if err != nil {
		t.Fatalf("destination is not a valid checkpoint: %v", err)
	}
	got, _ := f.Get("w").Float32s()
	if got[0] != v || got[len(got)-1] != v {
		t.Fatalf("destination holds %g…%g, want the old %g", got[0], got[len(got)-1], v)
	}
}

func leftovers(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		if strings.Contains(e.Name(), ".tmp-") {
			out = append(out, e.Name())
		}
	}
	return out
}

func TestWriteAtomicFailureKeepsOld(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model.safetensors")
	// Absent destination stays absent.
	var b bytes.Buffer
	if err := Encode(&b, sampleFile(2)); err != nil {
		t.Fatal(err)
	}
	if err := WriteAtomic(path, writeHalfThenFail(b.Bytes())); err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("a failed first write left %s: %v", path, err)
	}
	// Existing destination keeps its content.
	if err := WriteFile(path, sampleFile(1)); err != nil {
		t.Fatal(err)
	}
	if err := WriteAtomic(path, writeHalfThenFail(b.Bytes())); err == nil {
		t.Fatal("failure not reported")
	}
	checkHolds(t, path, 1)
	if l := leftovers(t, dir); len(l) != 0 {
		t.Errorf("temporary files left behind: %v", l)
	}
	// And a successful write replaces it.
	if err := WriteFile(path, sampleFile(2)); err != nil {
		t.Fatal(err)
	}
	checkHolds(t, path, 2)
}

const crashEnv = "KAIWU_CKPT_CRASH_CHILD"

// TestCrashChildHelper is the child process of TestCrashMidWrite: it
// starts writing a checkpoint, says so, and hangs until killed.
func TestCrashChildHelper(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("helper process for TestCrashMidWrite")
	}
	var b bytes.Buffer
	if err := Encode(&b, sampleFile(2)); err != nil {
		t.Fatal(err)
	}
	data := b.Bytes()
	_ = WriteAtomic(path, func(w io.Writer) error {
		if _, err := w.Write(data[:len(data)/2]); err != nil {
			return err
		}
		if f, ok := w.(interface{ Flush() error }); ok {
			_ = f.Flush()
		}
		os.Stdout.WriteString("half written\n")
		time.Sleep(time.Minute)
		_, err := w.Write(data[len(data)/2:])
		return err
	})
	os.Exit(0)
}

// TestCrashMidWrite kills a process in the middle of writing a checkpoint
// over an existing one: the destination must still hold the old,
// complete checkpoint.
func TestCrashMidWrite(t *testing.T) {
	if os.Getenv(crashEnv) != "" {
		return
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "model.safetensors")
	if err := WriteFile(path, sampleFile(1)); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChildHelper$")
	cmd.Env = append(os.Environ(), crashEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.Contains(line, "half written") {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("child did not start writing: %q %v", line, err)
	}
	// The half-written temporary file is on disk now.
	tmp := leftovers(t, dir)
	if len(tmp) != 1 {
		t.Errorf("expected one temporary file mid-write, found %v", tmp)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	checkHolds(t, path, 1)
	// The torn temporary file is never mistaken for a checkpoint.
	for _, name := range tmp {
		if _, err := ReadFile(filepath.Join(dir, name)); err == nil {
			t.Errorf("the torn file %s decodes", name)
		}
	}
}
