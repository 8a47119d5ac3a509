package data

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// ImageAugment is a seeded image augmentation for CHW float32 samples,
// applied by a DataLoader as its Transform (the loader seeds the
// generator per sample, so results do not depend on the workers). The
// steps run in this order, each only when configured:
//
//  1. random crop: pad every side with Padding zeros and cut a random
//     H×W window (torchvision's RandomCrop(size, padding));
//  2. horizontal flip with probability FlipProb;
//  3. rotation by a uniform angle in [-MaxDegrees, MaxDegrees] about the
//     centre, bilinear, zero outside the image;
//  4. additive Gaussian noise of standard deviation NoiseStd.
type ImageAugment struct {
	C, H, W    int
	Padding    int
	FlipProb   float64
	MaxDegrees float64
	NoiseStd   float64
}

// Apply augments s.X in place (see Transform).
func (a *ImageAugment) Apply(s Sample, rng *rand.Rand, scratch []float32) error {
	hw := a.H * a.W
	n := a.C * hw
	if a.C < 1 || a.H < 1 || a.W < 1 || len(s.X) != n || len(scratch) < n {
		return fmt.Errorf("data: augment: sample of %d values (scratch %d) is not %d×%d×%d", len(s.X), len(scratch), a.C, a.H, a.W)
	}
	if a.Padding < 0 || a.FlipProb < 0 || a.MaxDegrees < 0 || a.NoiseStd < 0 {
		return fmt.Errorf("data: augment: negative setting in %+v", *a)
	}
	x := s.X
	if a.Padding > 0 {
		p := a.Padding
		dx := rng.IntN(2*p+1) - p // source offset of the window
		dy := rng.IntN(2*p+1) - p
		for ch := range a.C {
			for y := range a.H {
				for xx := range a.W {
					sy, sx := y+dy, xx+dx
					v := float32(0)
					if sy >= 0 && sy < a.H && sx >= 0 && sx < a.W {
						v = x[ch*hw+sy*a.W+sx]
					}
					scratch[ch*hw+y*a.W+xx] = v
				}
			}
		}
		copy(x, scratch[:n])
	}
	if a.FlipProb > 0 && rng.Float64() < a.FlipProb {
		for ch := range a.C {
			for y := range a.H {
				row := x[ch*hw+y*a.W : ch*hw+(y+1)*a.W]
				for i, j := 0, len(row)-1; i < j; i, j = i+1, j-1 {
					row[i], row[j] = row[j], row[i]
				}
			}
		}
	}
	if a.MaxDegrees > 0 {
		deg := (2*rng.Float64() - 1) * a.MaxDegrees
		Rotate(x, scratch[:n], a.C, a.H, a.W, deg)
		copy(x, scratch[:n])
	}
	if a.NoiseStd > 0 {
		for i := range x {
			x[i] += float32(a.NoiseStd * rng.NormFloat64())
		}
	}
	return nil
}

// Rotate writes src (C×H×W) rotated counter-clockwise by deg degrees
// about the image centre into dst, sampling bilinearly with zeros outside
// the source.
func Rotate(src, dst []float32, c, h, w int, deg float64) {
	th := deg * math.Pi / 180
	cos, sin := math.Cos(th), math.Sin(th)
	cx, cy := float64(w-1)/2, float64(h-1)/2
	hw := h * w
	for y := range h {
		for x := range w {
			// Inverse map: which source point lands on (x, y). With y
			// pointing down, a counter-clockwise turn on screen is a
			// clockwise turn in (x, y) coordinates.
			ux, uy := float64(x)-cx, float64(y)-cy
			sx := cos*ux - sin*uy + cx
			sy := sin*ux + cos*uy + cy
			for ch := range c {
				dst[ch*hw+y*w+x] = bilinear(src[ch*hw:(ch+1)*hw], w, h, sx, sy, true)
			}
		}
	}
}
