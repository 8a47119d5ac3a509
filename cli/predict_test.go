package cli

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// halfImage is a w×h image whose left (class 0) or right (class 1) half
// is bright; variant shifts the dark level so that images differ. gray
// makes an 8-bit gray image instead of RGBA.
func halfImage(class, variant, w, h int, gray bool) image.Image {
	var img interface {
		image.Image
		Set(x, y int, c color.Color)
	}
	if gray {
		img = image.NewGray(image.Rect(0, 0, w, h))
	} else {
		img = image.NewRGBA(image.Rect(0, 0, w, h))
	}
	for y := range h {
		for x := range w {
			v := halfLevel(class, x, w, uint8(20+5*(variant%7)))
			img.Set(x, y, color.RGBA{v, v / 2, v, 255})
		}
	}
	return img
}

// halfLevel is the level of column x of a w-wide image of the two classes
// of halfImage and writeIDX: bright (230) on the left half for class 0 or
// the right half for class 1, dark elsewhere.
func halfLevel(class, x, w int, dark uint8) uint8 {
	if (x < w/2) == (class == 0) {
		return 230
	}
	return dark
}

func writePNG(t *testing.T, path string, img image.Image) string {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// hugePNG is a valid PNG whose header claims w×h pixels (its data is a
// 1×1 image's), to check that the size is refused before decoding.
func hugePNG(t *testing.T, path string, w, h uint32) string {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 1, 1))); err != nil {
		t.Fatal(err)
	}
	p := b.Bytes()
	// signature (8), IHDR length (4), "IHDR" (4), width, height, …, CRC over type+data.
	binary.BigEndian.PutUint32(p[16:], w)
	binary.BigEndian.PutUint32(p[20:], h)
	binary.BigEndian.PutUint32(p[29:], crc32.ChecksumIEEE(p[12:29]))
	return writeFile(t, filepath.Dir(path), filepath.Base(path), string(p))
}

// TestPredictImages trains a tiny CNN on a generated image folder (two
// classes, 8×8 RGB), then predicts one image and a folder of images,
// checking classes, files and the --json shape, and that bad inputs give
// errors naming the file.
func TestPredictImages(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "train")
	for i := range 12 {
		writePNG(t, filepath.Join(data, "left", "l"+itoa(i)+".png"), halfImage(0, i, 8, 8, false))
		writePNG(t, filepath.Join(data, "right", "r"+itoa(i)+".png"), halfImage(1, i, 8, 8, false))
	}
	writeFile(t, filepath.Join(data, "left"), "README.txt", "not an image: skipped")
	spec := tinyCNN(t, dir, 3, 8)
	model := filepath.Join(dir, "m.safetensors")
	var tr TrainResult
	runJSON(t, &tr, "train", "--spec", spec, "--data", data, "--epochs", "10", "--lr", "0.01", "--batch", "8", "--out", model, "--val", "0")
	if tr.Source != "images" || tr.TrainSamples != 24 {
		t.Fatalf("train %+v", tr)
	}

	// One image.
	one := writePNG(t, filepath.Join(dir, "in", "a-left.png"), halfImage(0, 3, 8, 8, false))
	var pr PredictResult
	runJSON(t, &pr, "predict", "--model", model, "--input", one)
	if pr.Task != "classify" || pr.Input != one || len(pr.Predictions) != 1 {
		t.Fatalf("predict %+v", pr)
	}
	p := pr.Predictions[0]
	if p.Row != 1 || p.File != one || p.Class != "left" || len(p.Probabilities) != 2 || p.Value != nil ||
		math.Abs(p.Probabilities["left"]+p.Probabilities["right"]-1) > 1e-6 || p.Probability != p.Probabilities["left"] || p.Probability <= 0.5 {
		t.Fatalf("prediction %+v", p)
	}

	// A folder: images of another size and color model are converted as
	// the training images were; other files are skipped.
	writePNG(t, filepath.Join(dir, "in", "b-right.png"), halfImage(1, 5, 8, 8, false))
	writePNG(t, filepath.Join(dir, "in", "sub", "c-right-gray16.png"), halfImage(1, 2, 16, 16, true))
	writePNG(t, filepath.Join(dir, "in", "d-left-12x6.png"), halfImage(0, 1, 12, 6, false))
	writeFile(t, filepath.Join(dir, "in"), "notes.txt", "skipped")
	pr = PredictResult{}
	runJSON(t, &pr, "predict", "--model", model, "--input", filepath.Join(dir, "in"))
	var got []string
	for i, p := range pr.Predictions {
		if p.Row != i+1 || len(p.Probabilities) != 2 {
			t.Fatalf("prediction %d: %+v", i, p)
		}
		got = append(got, filepath.Base(p.File)+"="+p.Class)
	}
	if want := "a-left.png=left b-right.png=right d-left-12x6.png=left c-right-gray16.png=right"; strings.Join(got, " ") != want {
		t.Fatalf("folder predictions %v, want %s", got, want)
	}

	// The table names the files.
	out, _, err := run(t, "predict", "--model", model, "--input", filepath.Join(dir, "in"), "--threads", "1")
	if err != nil || !strings.Contains(out, "file") || !strings.Contains(out, "b-right.png") || !strings.Contains(out, "right") {
		t.Fatalf("predict table: %v\n%s", err, out)
	}

	bad := filepath.Join(dir, "bad")
	corrupt := writeFile(t, dir, "corrupt.png", "this is not a PNG")
	notes := writeFile(t, dir, "notes.txt", "plain text")
	huge := hugePNG(t, filepath.Join(dir, "huge.png"), 1<<14, 1<<14)
	writePNG(t, filepath.Join(bad, "ok.png"), halfImage(0, 0, 8, 8, false))
	inFolder := writeFile(t, bad, "z-broken.jpg", "\xff\xd8 truncated JPEG")
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		input string
		want  []string
	}{
		{corrupt, []string{corrupt, "png"}},
		{notes, []string{notes, "want a PNG or JPEG image"}},
		{huge, []string{huge, "16384×16384", "64 Mpixel"}},
		{bad, []string{inFolder}},
		{empty, []string{empty, "no .png or .jpg images"}},
		{filepath.Join(dir, "missing.png"), []string{"missing.png"}},
	} {
		_, _, err := run(t, "predict", "--model", model, "--input", c.input, "--threads", "1")
		if err == nil {
			t.Errorf("--input %s: no error", c.input)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("--input %s: error %q does not mention %q", c.input, err, w)
			}
		}
	}
}
