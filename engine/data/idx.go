package data

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// IDX element types (the third byte of the magic number).
const (
	IDXUint8   = 0x08
	IDXInt8    = 0x09
	IDXInt16   = 0x0B
	IDXInt32   = 0x0C
	IDXFloat32 = 0x0D
	IDXFloat64 = 0x0E
)

var idxSizes = map[byte]int{IDXUint8: 1, IDXInt8: 1, IDXInt16: 2, IDXInt32: 4, IDXFloat32: 4, IDXFloat64: 8}

// MaxIDXBytes bounds the data section ReadIDX accepts (1 GiB).
const MaxIDXBytes = 1 << 30

// IDXArray is an array read from an IDX file (the MNIST format of
// LeCun, Cortes and Burges): its element type, its dimensions, and Raw,
// the data section as stored (big-endian, row-major), which for IDXUint8
// is the bytes themselves. At converts one element to float64.
type IDXArray struct {
	Type byte
	Dims []int
	Raw  []byte
}

// Len is the number of elements: the product of Dims.
func (a *IDXArray) Len() int {
	n := 1
	for _, d := range a.Dims {
		n *= d
	}
	return n
}

// At returns element i converted to float64.
func (a *IDXArray) At(i int) float64 {
	switch a.Type {
	case IDXUint8:
		return float64(a.Raw[i])
	case IDXInt8:
		return float64(int8(a.Raw[i]))
	case IDXInt16:
		return float64(int16(binary.BigEndian.Uint16(a.Raw[2*i:])))
	case IDXInt32:
		return float64(int32(binary.BigEndian.Uint32(a.Raw[4*i:])))
	case IDXFloat32:
		return float64(math.Float32frombits(binary.BigEndian.Uint32(a.Raw[4*i:])))
	default:
		return math.Float64frombits(binary.BigEndian.Uint64(a.Raw[8*i:]))
	}
}

// ReadIDX reads one IDX array from r; name is used in errors. A gzip
// stream (magic 1f 8b) is decompressed transparently. The header is the
// magic 00 00 <type> <ndims> and ndims big-endian uint32 sizes; the data
// must have exactly the size they imply (no more, no less) and at most
// MaxIDXBytes.
func ReadIDX(r io.Reader, name string) (*IDXArray, error) {
	br := bufio.NewReader(r)
	if p, err := br.Peek(2); err == nil && p[0] == 0x1f && p[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("data: idx %s: gzip: %w", name, err)
		}
		defer zr.Close()
		br = bufio.NewReader(zr)
	}
	var magic [4]byte
	if _, err := io.ReadFull(br, magic[:]); err != nil {
		return nil, fmt.Errorf("data: idx %s: byte 0: reading the 4-byte magic: %v", name, err)
	}
	if magic[0] != 0 || magic[1] != 0 {
		return nil, fmt.Errorf("data: idx %s: byte 0: magic % x does not start with 00 00 (not an IDX file)", name, magic)
	}
	size, ok := idxSizes[magic[2]]
	if !ok {
		return nil, fmt.Errorf("data: idx %s: byte 2: unknown element type 0x%02x", name, magic[2])
	}
	nd := int(magic[3])
	if nd < 1 {
		return nil, fmt.Errorf("data: idx %s: byte 3: zero dimensions", name)
	}
	a := &IDXArray{Type: magic[2], Dims: make([]int, nd)}
	total := int64(size)
	for i := range nd {
		var b [4]byte
		if _, err := io.ReadFull(br, b[:]); err != nil {
			return nil, fmt.Errorf("data: idx %s: byte %d: reading dimension %d of %d: %v", name, 4+4*i, i+1, nd, err)
		}
		d := int64(binary.BigEndian.Uint32(b[:]))
		total *= d
		if total > MaxIDXBytes {
			return nil, fmt.Errorf("data: idx %s: byte %d: dimensions %v… need more than the %d-byte limit", name, 4+4*i, a.Dims[:i], MaxIDXBytes)
		}
		a.Dims[i] = int(d)
	}
	off := int64(4 + 4*nd)
	// io.ReadAll grows with what arrives, so a header that lies about a
	// huge size costs no more memory than the file really has.
	raw, err := io.ReadAll(io.LimitReader(br, total+1))
	if err != nil {
		return nil, fmt.Errorf("data: idx %s: byte %d: reading data: %v", name, off+int64(len(raw)), err)
	}
	if int64(len(raw)) < total {
		return nil, fmt.Errorf("data: idx %s: byte %d: truncated: dimensions %v need %d data bytes, the file has %d", name, off+int64(len(raw)), a.Dims, total, len(raw))
	}
	if int64(len(raw)) > total {
		return nil, fmt.Errorf("data: idx %s: byte %d: trailing bytes after the %d data bytes of dimensions %v", name, off+total, total, a.Dims)
	}
	a.Raw = raw
	return a, nil
}

// ReadIDXFile opens path and reads it with ReadIDX.
func ReadIDXFile(path string) (*IDXArray, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("data: idx: %w", err)
	}
	defer f.Close()
	return ReadIDX(f, path)
}

// Images is an in-memory image classification dataset: N images of
// C×H×W float32 values (CHW, row-major, sample-major in X) with integer
// labels. It implements Dataset with one label per sample.
type Images struct {
	X       []float32
	Labels  []int
	C, H, W int
	Classes int
	// ClassNames names the classes when known (image folders; MNIST and
	// Fashion-MNIST directories that MNISTClassNames recognises).
	ClassNames []string
}

// Len reports the number of images.
func (d *Images) Len() int { return len(d.Labels) }

// Spec reports [C, H, W] features and one label.
func (d *Images) Spec() Spec { return Spec{X: []int{d.C, d.H, d.W}, Labels: 1} }

// Get copies image i and its label into s.
func (d *Images) Get(i int, s Sample) error {
	if err := checkIndex("images", i, d.Len()); err != nil {
		return err
	}
	n := d.C * d.H * d.W
	copy(s.X, d.X[i*n:(i+1)*n])
	s.Labels[0] = d.Labels[i]
	return nil
}

// Classification flattens the images into a Classification dataset
// (sharing X) for models that take feature vectors.
func (d *Images) Classification() *Classification {
	return &Classification{X: d.X, Y: d.Labels, Features: d.C * d.H * d.W, Classes: d.Classes}
}

// LoadIDXImages reads an MNIST-style pair: an images file of ubyte
// [N, rows, cols], scaled to [0, 1] as float32 [N, 1, rows, cols], and a
// labels file of ubyte [N]. It checks the types, ranks and that the
// counts agree.
func LoadIDXImages(imagesPath, labelsPath string) (*Images, error) {
	im, err := ReadIDXFile(imagesPath)
	if err != nil {
		return nil, err
	}
	lb, err := ReadIDXFile(labelsPath)
	if err != nil {
		return nil, err
	}
	return idxImages(im, lb, imagesPath, labelsPath)
}

func idxImages(im, lb *IDXArray, imName, lbName string) (*Images, error) {
	if im.Type != IDXUint8 || len(im.Dims) != 3 {
		return nil, fmt.Errorf("data: idx %s: images must be ubyte [N, rows, cols], got type 0x%02x dims %v", imName, im.Type, im.Dims)
	}
	if lb.Type != IDXUint8 || len(lb.Dims) != 1 {
		return nil, fmt.Errorf("data: idx %s: labels must be ubyte [N], got type 0x%02x dims %v", lbName, lb.Type, lb.Dims)
	}
	n, h, w := im.Dims[0], im.Dims[1], im.Dims[2]
	if lb.Dims[0] != n {
		return nil, fmt.Errorf("data: idx: %s has %d images but %s has %d labels", imName, n, lbName, lb.Dims[0])
	}
	d := &Images{X: make([]float32, len(im.Raw)), Labels: make([]int, n), C: 1, H: h, W: w}
	for i, b := range im.Raw {
		d.X[i] = float32(b) / 255
	}
	for i, b := range lb.Raw {
		d.Labels[i] = int(b)
		d.Classes = max(d.Classes, int(b)+1)
	}
	return d, nil
}

// FashionMNISTClasses names Fashion-MNIST's ten classes in label order,
// as the dataset's README (github.com/zalandoresearch/fashion-mnist)
// lists them. IDX files carry no class names.
var FashionMNISTClasses = []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}

// MNISTClassNames returns the class names of the MNIST-family dataset in
// dir, recognised by the directory's name, since the IDX files of MNIST
// and Fashion-MNIST have the same names and carry no class names:
// FashionMNISTClasses when the name contains "fashion" (Debian's
// /usr/share/datasets/fashion-mnist, torchvision's FashionMNIST/raw),
// the digits "0" to "9" when it contains "mnist", and nil otherwise.
func MNISTClassNames(dir string) []string {
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	// torchvision keeps the files in <Name>/raw: look at the parent too.
	name := strings.ToLower(filepath.Base(dir))
	if name == "raw" {
		name = strings.ToLower(filepath.Base(filepath.Dir(dir)))
	}
	switch {
	case strings.Contains(name, "fashion"):
		return slices.Clone(FashionMNISTClasses)
	case strings.Contains(name, "mnist"):
		return []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}
	}
	return nil
}

// LoadMNIST reads an MNIST or Fashion-MNIST directory holding the four
// standard files (train-images-idx3-ubyte, train-labels-idx1-ubyte,
// t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte), each optionally with
// a .gz suffix, as Debian's dataset-fashion-mnist installs them in
// /usr/share/datasets/fashion-mnist. When MNISTClassNames recognises the
// directory and its names cover the labels, both sets get them as
// ClassNames (and Classes becomes their count).
func LoadMNIST(dir string) (train, test *Images, err error) {
	find := func(base string) string {
		p := filepath.Join(dir, base)
		if _, err := os.Stat(p); err == nil {
			return p
		}
		return p + ".gz"
	}
	train, err = LoadIDXImages(find("train-images-idx3-ubyte"), find("train-labels-idx1-ubyte"))
	if err != nil {
		return nil, nil, err
	}
	test, err = LoadIDXImages(find("t10k-images-idx3-ubyte"), find("t10k-labels-idx1-ubyte"))
	if err != nil {
		return nil, nil, err
	}
	train.Classes = max(train.Classes, test.Classes)
	if names := MNISTClassNames(dir); names != nil && len(names) >= train.Classes {
		train.Classes, train.ClassNames, test.ClassNames = len(names), names, names
	}
	test.Classes = train.Classes
	return train, test, nil
}
