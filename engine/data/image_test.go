package data

import (
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestResizeBilinearMatchesPyTorch(t *testing.T) {
	// torch.nn.functional.interpolate(torch.tensor([[[[0., 1.], [2., 3.]]]]),
	// size=(4, 4), mode="bilinear", align_corners=False) gives these rows:
	// source x = (dst+0.5)/2 - 0.5, clamped at 0.
	want := []float32{
		0, 0.25, 0.75, 1,
		0.5, 0.75, 1.25, 1.5,
		1.5, 1.75, 2.25, 2.5,
		2, 2.25, 2.75, 3,
	}
	got := make([]float32, 16)
	resizePlane([]float32{0, 1, 2, 3}, 2, 2, got, 4, 4, Bilinear)
	if !slices.Equal(got, want) {
		t.Fatalf("bilinear 2×2 → 4×4 = %v, want %v", got, want)
	}
	// mode="nearest" 4 → 2 picks source columns floor(0*2) = 0 and 2.
	got = got[:4]
	resizePlane([]float32{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, 4, 4, got, 2, 2, Nearest)
	if !slices.Equal(got, []float32{0, 2, 8, 10}) {
		t.Fatalf("nearest 4×4 → 2×2 = %v", got)
	}
}

func writeImage(t *testing.T, path string, img image.Image) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if strings.HasSuffix(path, ".png") {
		err = png.Encode(f, img)
	} else {
		err = jpeg.Encode(f, img, &jpeg.Options{Quality: 100})
	}
	if err != nil {
		t.Fatal(err)
	}
}

func TestReadImageFolder(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"cat", "dog"} {
		os.Mkdir(filepath.Join(root, d), 0o755)
	}
	red := image.NewRGBA(image.Rect(0, 0, 4, 4))
	for i := range 16 {
		red.Set(i%4, i/4, color.RGBA{255, 0, 0, 255})
	}
	gray := image.NewGray(image.Rect(0, 0, 8, 6))
	for i := range gray.Pix {
		gray.Pix[i] = 128
	}
	writeImage(t, filepath.Join(root, "cat", "a.png"), red)
	writeImage(t, filepath.Join(root, "dog", "b.jpg"), gray)
	os.WriteFile(filepath.Join(root, "dog", "notes.txt"), []byte("skip me"), 0o644)

	d, err := ReadImageFolder(root, ImageFolderOptions{Width: 2, Height: 2})
	if err != nil {
		t.Fatal(err)
	}
	if d.Len() != 2 || !slices.Equal(d.ClassNames, []string{"cat", "dog"}) || d.C != 3 || !slices.Equal(d.Labels, []int{0, 1}) {
		t.Fatalf("%d images, classes %v, C %d, labels %v", d.Len(), d.ClassNames, d.C, d.Labels)
	}
	// Red image: R plane 1, G and B planes 0 (CHW).
	if d.X[0] != 1 || d.X[4] != 0 || d.X[8] != 0 {
		t.Fatalf("red image planes %v", d.X[:12])
	}
	// The gray JPEG is 128/255 in every channel, up to JPEG rounding.
	for _, v := range d.X[12:] {
		if math.Abs(float64(v)-128.0/255) > 2.0/255 {
			t.Fatalf("gray image values %v", d.X[12:])
		}
	}
	g, err := ReadImageFolder(root, ImageFolderOptions{Width: 3, Height: 3, Gray: true, Resize: Nearest, Mean: []float32{0.5}, Std: []float32{0.5}})
	if err != nil {
		t.Fatal(err)
	}
	// Red as BT.601 luma: 0.299 → normalised (0.299-0.5)/0.5.
	if g.C != 1 || math.Abs(float64(g.X[0])-(0.299-0.5)/0.5) > 1e-3 {
		t.Fatalf("gray red pixel %v", g.X[0])
	}
	for _, opt := range []ImageFolderOptions{{}, {Width: 2, Height: 2, Mean: []float32{0}}, {Width: 2, Height: 2, Gray: true, Mean: []float32{0}, Std: []float32{0}}} {
		if _, err := ReadImageFolder(root, opt); err == nil {
			t.Errorf("options %+v accepted", opt)
		}
	}
	os.WriteFile(filepath.Join(root, "dog", "broken.png"), []byte("not a png"), 0o644)
	if _, err := ReadImageFolder(root, ImageFolderOptions{Width: 2, Height: 2}); err == nil || !strings.Contains(err.Error(), "broken.png") {
		t.Fatalf("broken image: %v", err)
	}
}

func TestImageAugment(t *testing.T) {
	// A 1×3×3 image 1..9.
	base := []float32{1, 2, 3, 4, 5, 6, 7, 8, 9}
	rng := rand.New(rand.NewPCG(1, 2))
	scratch := make([]float32, 9)
	run := func(a *ImageAugment) []float32 {
		x := slices.Clone(base)
		if err := a.Apply(Sample{X: x}, rng, scratch); err != nil {
			t.Fatal(err)
		}
		return x
	}
	if got := run(&ImageAugment{C: 1, H: 3, W: 3, FlipProb: 1}); !slices.Equal(got, []float32{3, 2, 1, 6, 5, 4, 9, 8, 7}) {
		t.Fatalf("flip = %v", got)
	}
	// 90° counter-clockwise: the right column becomes the top row.
	rot := make([]float32, 9)
	Rotate(base, rot, 1, 3, 3, 90)
	want := []float32{3, 6, 9, 2, 5, 8, 1, 4, 7}
	for i := range want {
		if math.Abs(float64(rot[i]-want[i])) > 1e-5 {
			t.Fatalf("rotate 90 = %v, want %v", rot, want)
		}
	}
	// Crop with padding 1: a shifted copy, zeros where it left the image.
	for range 20 {
		got := run(&ImageAugment{C: 1, H: 3, W: 3, Padding: 1})
		if got[4] == 0 {
			t.Fatalf("crop lost the centre: %v", got)
		}
		var sum float32
		for _, v := range got {
			sum += v
		}
		if sum > 45 {
			t.Fatalf("crop invented values: %v", got)
		}
	}
	// Noise: seeded, and of the requested spread.
	big := make([]float32, 10000)
	a := &ImageAugment{C: 1, H: 100, W: 100, NoiseStd: 0.1}
	rng = rand.New(rand.NewPCG(7, 7))
	if err := a.Apply(Sample{X: big}, rng, make([]float32, 10000)); err != nil {
		t.Fatal(err)
	}
	var ss float64
	for _, v := range big {
		ss += float64(v) * float64(v)
	}
	if sd := math.Sqrt(ss / 10000); math.Abs(sd-0.1) > 0.005 {
		t.Fatalf("noise std %g, want 0.1", sd)
	}
	big2 := make([]float32, 10000)
	rng = rand.New(rand.NewPCG(7, 7))
	a.Apply(Sample{X: big2}, rng, make([]float32, 10000))
	if !slices.Equal(big, big2) {
		t.Fatal("same seed, different noise")
	}
	if err := (&ImageAugment{C: 1, H: 2, W: 2}).Apply(Sample{X: base}, rng, scratch); err == nil {
		t.Fatal("wrong sample size accepted")
	}
}
