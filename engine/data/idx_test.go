package data

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestReadIDXFixture(t *testing.T) {
	for _, path := range []string{"testdata/tiny-images-idx3-ubyte", "testdata/tiny-images-idx3-ubyte.gz"} {
		a, err := ReadIDXFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if a.Type != IDXUint8 || len(a.Dims) != 3 || a.Dims[0] != 3 || a.Dims[1] != 2 || a.Dims[2] != 3 || a.At(5) != 255 {
			t.Fatalf("%s: type %x dims %v", path, a.Type, a.Dims)
		}
	}
	f, err := ReadIDXFile("testdata/tiny-float-idx2")
	if err != nil {
		t.Fatal(err)
	}
	if f.Type != IDXFloat32 || f.Len() != 4 || f.At(0) != 1.5 || f.At(1) != -2 || f.At(3) != 3 {
		t.Fatalf("float array: type %x dims %v", f.Type, f.Dims)
	}
	im, err := LoadIDXImages("testdata/tiny-images-idx3-ubyte.gz", "testdata/tiny-labels-idx1-ubyte")
	if err != nil {
		t.Fatal(err)
	}
	if im.Len() != 3 || im.C != 1 || im.H != 2 || im.W != 3 || im.Classes != 3 {
		t.Fatalf("images: %d of %d×%d×%d, %d classes", im.Len(), im.C, im.H, im.W, im.Classes)
	}
	// Pixel 51 scales to 0.2; label of image 0 is 2.
	s := Sample{X: make([]float32, 6), Labels: make([]int, 1)}
	if err := im.Get(0, s); err != nil {
		t.Fatal(err)
	}
	if s.X[1] != 51.0/255 || s.X[5] != 1 || s.Labels[0] != 2 {
		t.Fatalf("image 0 = %v label %d", s.X, s.Labels[0])
	}
}

func idxBytes(typ byte, dims []uint32, data []byte) []byte {
	var b bytes.Buffer
	b.Write([]byte{0, 0, typ, byte(len(dims))})
	for _, d := range dims {
		binary.Write(&b, binary.BigEndian, d)
	}
	b.Write(data)
	return b.Bytes()
}

func TestReadIDXErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "byte 0: reading the 4-byte magic"},
		{"bad magic", []byte{1, 2, 8, 1, 0, 0, 0, 0}, "byte 0: magic 01 02 08 01 does not start with 00 00"},
		{"bad type", []byte{0, 0, 7, 1}, "byte 2: unknown element type 0x07"},
		{"no dims", []byte{0, 0, 8, 0}, "byte 3: zero dimensions"},
		{"short header", []byte{0, 0, 8, 2, 0, 0, 0, 1}, "byte 8: reading dimension 2 of 2"},
		{"truncated", idxBytes(8, []uint32{2, 3}, []byte{1, 2, 3}), "byte 15: truncated: dimensions [2 3] need 6 data bytes, the file has 3"},
		{"trailing", idxBytes(8, []uint32{2}, []byte{1, 2, 3}), "byte 10: trailing bytes after the 2 data bytes"},
		{"huge", idxBytes(0x0E, []uint32{1 << 16, 1 << 16}, nil), "need more than the 1073741824-byte limit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadIDX(bytes.NewReader(tc.in), "bad.idx")
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "bad.idx") {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
	// Counts that disagree between images and labels.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "l"), idxBytes(8, []uint32{2}, []byte{0, 1}), 0o644)
	if _, err := LoadIDXImages("testdata/tiny-images-idx3-ubyte", filepath.Join(dir, "l")); err == nil || !strings.Contains(err.Error(), "3 images but") {
		t.Fatalf("mismatched counts: %v", err)
	}
}

// TestFashionMNIST reads the real files from Debian's
// dataset-fashion-mnist package when it is installed.
func TestFashionMNIST(t *testing.T) {
	const dir = "/usr/share/datasets/fashion-mnist"
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("Fashion-MNIST not installed (apt-get install dataset-fashion-mnist): %v", err)
	}
	if testing.Short() {
		t.Skip("short mode: skipping the 60,000-image read")
	}
	train, test, err := LoadMNIST(dir)
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 60000 || test.Len() != 10000 || train.H != 28 || train.W != 28 || train.Classes != 10 {
		t.Fatalf("train %d, test %d, %d×%d, %d classes", train.Len(), test.Len(), train.H, train.W, train.Classes)
	}
	if !slices.Equal(train.ClassNames, FashionMNISTClasses) || !slices.Equal(test.ClassNames, FashionMNISTClasses) {
		t.Fatalf("class names %v, %v", train.ClassNames, test.ClassNames)
	}
	// Fashion-MNIST is balanced: 6,000 training images per class.
	counts := make([]int, 10)
	for _, y := range train.Labels {
		counts[y]++
	}
	for c, n := range counts {
		if n != 6000 {
			t.Fatalf("class %d has %d training images, want 6000", c, n)
		}
	}
	lo, hi := float32(1), float32(0)
	for _, v := range train.X[:784*100] {
		lo, hi = min(lo, v), max(hi, v)
	}
	if lo != 0 || hi != 1 {
		t.Fatalf("pixel range [%g, %g], want [0, 1]", lo, hi)
	}
}

func FuzzReadIDX(f *testing.F) {
	for _, p := range []string{"testdata/tiny-images-idx3-ubyte", "testdata/tiny-images-idx3-ubyte.gz", "testdata/tiny-float-idx2", "testdata/tiny-labels-idx1-ubyte"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		a, err := ReadIDX(bytes.NewReader(in), "fuzz")
		if err != nil {
			return
		}
		n := a.Len()
		if n*idxSizes[a.Type] != len(a.Raw) {
			t.Fatalf("dims %v type %x but %d bytes", a.Dims, a.Type, len(a.Raw))
		}
		if n > 0 {
			_ = a.At(n - 1)
		}
	})
}

// TestMNISTClassNames: IDX files carry no class names, so the directory's
// name decides: Fashion-MNIST's names, MNIST's digits, or none.
func TestMNISTClassNames(t *testing.T) {
	for dir, want := range map[string]string{
		"/usr/share/datasets/fashion-mnist": "T-shirt/top,Trouser,Pullover,Dress,Coat,Sandal,Shirt,Sneaker,Bag,Ankle boot",
		"data/FashionMNIST/raw":             "T-shirt/top,Trouser,Pullover,Dress,Coat,Sandal,Shirt,Sneaker,Bag,Ankle boot",
		"/data/MNIST/raw":                   "0,1,2,3,4,5,6,7,8,9",
		"mnist":                             "0,1,2,3,4,5,6,7,8,9",
		"/data/digits":                      "",
		"raw":                               "",
	} {
		if got := strings.Join(MNISTClassNames(dir), ","); got != want {
			t.Errorf("MNISTClassNames(%q) = %q, want %q", dir, got, want)
		}
	}
	// LoadMNIST names the classes of a directory it recognises.
	root := t.TempDir()
	for _, name := range []string{"fashion-mnist", "other"} {
		dir := filepath.Join(root, name)
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		img := idxBytes(8, []uint32{2, 2, 2}, make([]byte, 8))
		lab := idxBytes(8, []uint32{2}, []byte{0, 3})
		for _, split := range []string{"train", "t10k"} {
			if err := os.WriteFile(filepath.Join(dir, split+"-images-idx3-ubyte"), img, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, split+"-labels-idx1-ubyte"), lab, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		train, test, err := LoadMNIST(dir)
		if err != nil {
			t.Fatal(err)
		}
		if name == "other" {
			if train.ClassNames != nil || train.Classes != 4 || test.Classes != 4 {
				t.Errorf("%s: names %v, %d classes, want none and 4", name, train.ClassNames, train.Classes)
			}
			continue
		}
		if train.Classes != 10 || test.Classes != 10 || train.ClassNames[3] != "Dress" || test.ClassNames[9] != "Ankle boot" {
			t.Errorf("%s: %d classes named %v", name, train.Classes, train.ClassNames)
		}
	}
}
