package data

import (
	"fmt"
	"image"
	_ "image/jpeg" // register JPEG for image.Decode
	_ "image/png"  // register PNG for image.Decode
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Resize chooses the resampling filter for image folders.
type Resize int

// Resampling filters.
const (
	// Bilinear interpolates with half-pixel centres, like PyTorch's
	// interpolate(mode="bilinear", align_corners=False) without
	// antialiasing.
	Bilinear Resize = iota
	// Nearest picks source pixel floor(x·scale), like PyTorch's
	// interpolate(mode="nearest").
	Nearest
)

// ImageFolderOptions configure ReadImageFolder.
type ImageFolderOptions struct {
	// Width and Height are the size every image is resized to (required).
	Width, Height int
	// Gray converts to one channel (ITU-R BT.601 luma, as image/color's
	// GrayModel); otherwise images have three channels, RGB.
	Gray bool
	// Resize is the filter (default Bilinear).
	Resize Resize
	// Mean and Std, when set (one value per channel), normalise each
	// channel of the [0, 1] values as (x - Mean) / Std, like
	// torchvision's Normalize.
	Mean, Std []float32
	// MaxImages bounds the number of files read (default 1,000,000).
	MaxImages int
}

// ReadImageFolder reads a class-per-subdirectory tree, as torchvision's
// ImageFolder does: root/<class>/<image>.png|.jpg|.jpeg. Classes are the
// subdirectory names in sorted order (label = position); files with
// other extensions are skipped. Each image becomes CHW float32 in [0, 1]
// (then normalised if Mean/Std are set) at the requested size.
func ReadImageFolder(root string, opt ImageFolderOptions) (*Images, error) {
	if opt.Width < 1 || opt.Height < 1 || opt.Width > 1<<14 || opt.Height > 1<<14 {
		return nil, fmt.Errorf("data: image folder %s: size %d×%d is outside [1, 16384]", root, opt.Width, opt.Height)
	}
	c := 3
	if opt.Gray {
		c = 1
	}
	if (opt.Mean != nil || opt.Std != nil) && (len(opt.Mean) != c || len(opt.Std) != c) {
		return nil, fmt.Errorf("data: image folder %s: mean %v and std %v must have %d values", root, opt.Mean, opt.Std, c)
	}
	for _, s := range opt.Std {
		if !(s > 0) {
			return nil, fmt.Errorf("data: image folder %s: std %v must be positive", root, opt.Std)
		}
	}
	if opt.MaxImages <= 0 {
		opt.MaxImages = 1_000_000
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("data: image folder: %w", err)
	}
	d := &Images{C: c, H: opt.Height, W: opt.Width}
	for _, e := range entries {
		if e.IsDir() {
			d.ClassNames = append(d.ClassNames, e.Name())
		}
	}
	slices.Sort(d.ClassNames)
	if len(d.ClassNames) == 0 {
		return nil, fmt.Errorf("data: image folder %s: no class subdirectories", root)
	}
	d.Classes = len(d.ClassNames)
	per := c * opt.Height * opt.Width
	for label, class := range d.ClassNames {
		files, err := os.ReadDir(filepath.Join(root, class))
		if err != nil {
			return nil, fmt.Errorf("data: image folder: %w", err)
		}
		for _, f := range files {
			ext := strings.ToLower(filepath.Ext(f.Name()))
			if f.IsDir() || (ext != ".png" && ext != ".jpg" && ext != ".jpeg") {
				continue
			}
			if d.Len() >= opt.MaxImages {
				return nil, fmt.Errorf("data: image folder %s: more than %d images", root, opt.MaxImages)
			}
			path := filepath.Join(root, class, f.Name())
			img, err := decodeImage(path)
			if err != nil {
				return nil, err
			}
			d.X = slices.Grow(d.X, per)
			x := d.X[len(d.X) : len(d.X)+per]
			d.X = d.X[:len(d.X)+per]
			ImageToCHW(img, opt.Gray, opt.Width, opt.Height, opt.Resize, x)
			if opt.Mean != nil {
				hw := opt.Height * opt.Width
				for ch := range c {
					for k := ch * hw; k < (ch+1)*hw; k++ {
						x[k] = (x[k] - opt.Mean[ch]) / opt.Std[ch]
					}
				}
			}
			d.Labels = append(d.Labels, label)
		}
	}
	if d.Len() == 0 {
		return nil, fmt.Errorf("data: image folder %s: no .png or .jpg images in %v", root, d.ClassNames)
	}
	return d, nil
}

// ReadImage decodes the PNG or JPEG file at path into dst exactly as
// ReadImageFolder prepares a training image (without Mean/Std): resized
// to w×h with filter rs, one gray or three RGB channels, CHW float32 in
// [0, 1]. dst must hold c·h·w values. Images of any size and color model
// are converted; a file that is not a PNG or JPEG, or whose header
// claims more than 64 Mpixel (checked before decoding), is an error
// naming the file.
func ReadImage(path string, gray bool, w, h int, rs Resize, dst []float32) error {
	c := 3
	if gray {
		c = 1
	}
	if w < 1 || h < 1 || w > 1<<14 || h > 1<<14 || len(dst) != c*w*h {
		return fmt.Errorf("data: image %s: size %d×%d×%d does not fit the %d-value buffer (sizes must be in [1, 16384])", path, c, h, w, len(dst))
	}
	img, err := decodeImage(path)
	if err != nil {
		return err
	}
	ImageToCHW(img, gray, w, h, rs, dst)
	return nil
}

func decodeImage(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("data: image: %w", err)
	}
	defer f.Close()
	cfg, _, err := image.DecodeConfig(f)
	if err != nil {
		return nil, fmt.Errorf("data: image %s: %w", path, err)
	}
	if cfg.Width < 1 || cfg.Height < 1 || int64(cfg.Width)*int64(cfg.Height) > 1<<26 {
		return nil, fmt.Errorf("data: image %s: %d×%d pixels is outside the limit of 64 Mpixel", path, cfg.Width, cfg.Height)
	}
	if _, err := f.Seek(0, 0); err != nil {
		return nil, fmt.Errorf("data: image %s: %w", path, err)
	}
	img, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("data: image %s: %w", path, err)
	}
	return img, nil
}

// ImageToCHW resizes img to w×h with filter rs and writes it to dst as
// CHW float32 in [0, 1]: one gray channel or three RGB channels. dst must
// have c*h*w values. Serving uses it to prepare an image exactly as
// ReadImageFolder prepared the training images.
func ImageToCHW(img image.Image, gray bool, w, h int, rs Resize, dst []float32) {
	b := img.Bounds()
	sw, sh := b.Dx(), b.Dy()
	c := 3
	if gray {
		c = 1
	}
	// Source pixels as float planes first: bilinear reads each pixel
	// several times.
	src := make([]float32, c*sw*sh)
	for y := range sh {
		for x := range sw {
			r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			if gray {
				// BT.601 luma as color.GrayModel computes it.
				lum := (19595*r + 38470*g + 7471*bl + 1<<15) >> 16
				src[y*sw+x] = float32(lum) / 65535
			} else {
				src[y*sw+x] = float32(r) / 65535
				src[sw*sh+y*sw+x] = float32(g) / 65535
				src[2*sw*sh+y*sw+x] = float32(bl) / 65535
			}
		}
	}
	for ch := range c {
		resizePlane(src[ch*sw*sh:(ch+1)*sw*sh], sw, sh, dst[ch*w*h:(ch+1)*w*h], w, h, rs)
	}
}

// resizePlane resamples one sw×sh plane into a w×h plane.
func resizePlane(src []float32, sw, sh int, dst []float32, w, h int, rs Resize) {
	sx := float64(sw) / float64(w)
	sy := float64(sh) / float64(h)
	for y := range h {
		fy := (float64(y)+0.5)*sy - 0.5
		for x := range w {
			fx := (float64(x)+0.5)*sx - 0.5
			if rs == Nearest {
				ix := min(int(math.Floor(float64(x)*sx)), sw-1)
				iy := min(int(math.Floor(float64(y)*sy)), sh-1)
				dst[y*w+x] = src[iy*sw+ix]
				continue
			}
			dst[y*w+x] = bilinear(src, sw, sh, max(fx, 0), max(fy, 0), false)
		}
	}
}

// bilinear samples plane p (pw×ph) at (fx, fy). Outside the plane it
// clamps to the edge, or returns 0 when zero is set.
func bilinear(p []float32, pw, ph int, fx, fy float64, zero bool) float32 {
	x0 := int(math.Floor(fx))
	y0 := int(math.Floor(fy))
	ax := float32(fx - float64(x0))
	ay := float32(fy - float64(y0))
	at := func(x, y int) float32 {
		if x < 0 || y < 0 || x >= pw || y >= ph {
			if zero {
				return 0
			}
			x = min(max(x, 0), pw-1)
			y = min(max(y, 0), ph-1)
		}
		return p[y*pw+x]
	}
	top := at(x0, y0)*(1-ax) + at(x0+1, y0)*ax
	bot := at(x0, y0+1)*(1-ax) + at(x0+1, y0+1)*ax
	return top*(1-ay) + bot*ay
}
